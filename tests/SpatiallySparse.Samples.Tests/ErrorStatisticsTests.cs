using NUnit.Framework;
using SpatiallySparse.Samples.Common;

namespace SpatiallySparse.Samples.Tests;

/// <summary>The result tables' statistics against published values (Wilson 1927; McNemar's exact binomial form).</summary>
[TestFixture]
public sealed class ErrorStatisticsTests
{
    [TestCase(0, 10, 0.0, 0.2775)]       // no errors: the interval is not empty
    [TestCase(10, 100, 0.0552, 0.1744)]
    [TestCase(31, 10000, 0.00218, 0.00440)]  // the paper's 0.31% on the MNIST test set
    public void WilsonMatchesPublishedIntervals(int wrong, int count, double low, double high)
    {
        ErrorInterval i = ErrorStatistics.Wilson(wrong, count);
        Assert.That(i.Low, Is.EqualTo(low).Within(5e-5));
        Assert.That(i.High, Is.EqualTo(high).Within(5e-5));
    }

    [Test]
    public void WilsonRejectsCountsOutsideTheTestSet()
    {
        Assert.That(() => ErrorStatistics.Wilson(11, 10), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("[0, 10]"));
        Assert.That(() => ErrorStatistics.Wilson(0, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => ErrorStatistics.Wilson(1, 10, confidence: 1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("(0, 1)"));
    }

    [TestCase(0, 6, 0.03125)]   // 2 x 0.5^6
    [TestCase(3, 3, 1.0)]
    [TestCase(0, 0, 1.0)]
    [TestCase(2, 12, 0.012939453125)]  // 2 x P(X <= 2), X ~ Binomial(14, 1/2) = 2 x 106 / 16384
    public void McNemarIsTheExactBinomialTest(int b, int c, double p) =>
        Assert.That(ErrorStatistics.McNemar(b, c), Is.EqualTo(p).Within(1e-12));

    [Test]
    public void McNemarCountsOnlyTheDiscordantImages()
    {
        (int b, int c, double p) = ErrorStatistics.McNemar([1, 2, 3, 7], [2, 3, 9, 10, 11]);
        Assert.That((b, c), Is.EqualTo((2, 3)));
        Assert.That(p, Is.EqualTo(1.0));
    }

    [Test]
    public void AnEpochRecordCarriesItsIntervalOnlyWhenTheTestSetSizeIsKnown()
    {
        EpochRecord old = new(1, 0.1, 0.02, 0.0048, 10, 1, 60000);
        Assert.That(old.TestErrorInterval, Is.Null);
        Assert.That(ResultsWriter.TestError(old), Is.EqualTo("0.48%"));
        EpochRecord recorded = old with { TestCount = 10000 };
        Assert.That(ResultsWriter.TestError(recorded), Is.EqualTo("0.48% (0.36-0.64%)"));
    }
}
