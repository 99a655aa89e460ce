using NUnit.Framework;

namespace SpatiallySparse.Tests.Serialization;

[TestFixture]
public sealed class SeededRandomTests
{
    [Test]
    public void ARestoredStateContinuesTheSequence()
    {
        SeededRandom a = new(42);
        a.NextDouble();
        ulong[] state = a.GetState();
        double[] expected = [a.NextDouble(), a.Next(7), a.NextSingle(), a.NextInt64(-5, 5)];
        SeededRandom b = new(1);
        b.SetState(state);
        Assert.That(new double[] { b.NextDouble(), b.Next(7), b.NextSingle(), b.NextInt64(-5, 5) }, Is.EqualTo(expected));
    }

    [Test]
    public void ReseedingRestartsAndDrawsStayInRange()
    {
        SeededRandom random = new(3);
        int[] first = [.. Enumerable.Range(0, 50).Select(_ => random.Next(-3, 4))];
        random.Reseed(3);
        Assert.That(Enumerable.Range(0, 50).Select(_ => random.Next(-3, 4)), Is.EqualTo(first));
        Assert.That(first, Is.All.InRange(-3, 3));
        Assert.That(first.Distinct().Count(), Is.EqualTo(7), "every value in range is drawn");
        Assert.That(Enumerable.Range(0, 1000).Select(_ => random.NextDouble()), Is.All.InRange(0.0, 0.9999999999));
    }

    [Test]
    public void ABadStateIsRefused()
    {
        SeededRandom random = new(1);
        Assert.That(() => random.SetState([1, 2, 3]), Throws.ArgumentException.With.Message.Contains("4 words"));
        Assert.That(() => random.SetState([0, 0, 0, 0]), Throws.ArgumentException.With.Message.Contains("all zeros"));
    }
}
