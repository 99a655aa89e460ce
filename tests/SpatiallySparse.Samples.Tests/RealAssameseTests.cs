using AssameseHandwriting;
using NUnit.Framework;
using SpatiallySparse.Samples.Common;

namespace SpatiallySparse.Samples.Tests;

/// <summary>The sample's whole path on the real files, when a copy is found (shared/data/assamese above the test folder); never downloads.</summary>
[TestFixture]
public sealed class RealAssameseTests
{
    [Test]
    public void SampleReadsEveryVerifiedFileAndSplitsByWriter()
    {
        using TempFolder temp = new();
        DataFolder locator = RealData.LocatorOrIgnore(AssameseData.Spec, temp);
        StringWriter log = new();
        AssameseOptions options = new() { Widths = "4", Scale = 8, TrainSubset = 20, TestSubset = 10, Batch = 10, Render = 1, Out = temp.File("out") };
        IReadOnlyList<RunHistory> runs = AssameseApp.Run(options, new TextReporter(log), locator, CancellationToken.None);

        Assert.That(log.ToString(), Does.Contain("Read 8235 characters of 45 writers"));
        Assert.That(log.ToString(), Does.Contain("6588 training characters, 1647 test characters"), "the paper's split");
        Assert.That(runs.Single().Epochs, Has.Count.EqualTo(1));
        Assert.That(File.ReadAllText(temp.File("out/results.md")), Does.Contain("| sparse | 1 |"));
        Assert.That(Directory.GetFiles(temp.File("out/render"), "*.png"), Has.Length.EqualTo(2));
    }
}
