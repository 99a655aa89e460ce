using MnistDeepCNet;
using NUnit.Framework;
using SpatiallySparse.Samples.Common;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Samples.Tests;

/// <summary>The sample's whole path on the real files, when a copy is found (shared/data/mnist above the test folder); never downloads.</summary>
[TestFixture]
public sealed class RealMnistTests
{
    [Test]
    public void SampleRunsOnTheRealFilesWithVerifiedChecksums()
    {
        using TempFolder temp = new();
        DataFolder locator = RealData.LocatorOrIgnore(MnistData.Spec, temp);
        MnistOptions options = new() { L = 4, K = 2, TrainSubset = 100, TestSubset = 50, Out = temp.File("out"), Checkpoint = temp.File("ckpt") };
        IReadOnlyList<RunHistory> runs = MnistApp.Run(options, new TextReporter(TextWriter.Null), locator, CancellationToken.None);

        Assert.That(runs.Select(r => r.Name), Is.EqualTo(new[] { "sparse", "dense" }), "--compare is on by default");
        Assert.That(runs[1].Epochs[0].TrainLoss, Is.EqualTo(runs[0].Epochs[0].TrainLoss).Within(1e-4));
        Assert.That(File.ReadAllText(temp.File("out/results.md")), Does.Contain("faster per epoch"));
        Assert.That(CheckpointManager.LatestIn(temp.File("ckpt/dense")), Does.EndWith("epoch-0000000001-step-0000000000"));
    }
}
