using MnistDeepCNet;
using NUnit.Framework;
using SpatiallySparse.Samples.Common;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Samples.Tests;

[TestFixture]
public sealed class SampleRunsTests
{
    private static readonly MnistSplit Train = SyntheticDigits.Split(20, seed: 1), Test = SyntheticDigits.Split(10, seed: 2);
    private static readonly Dictionary<string, string> Settings = new() { ["network"] = "tiny", ["epochs"] = "1" };

    private sealed record Options : ISampleOptions
    {
        public int Epochs { get; init; } = 1;

        public int Batch { get; init; } = 10;

        public int Seed { get; init; } = 3;

        public string? Checkpoint { get; init; }

        public bool Resume { get; init; }

        public bool OverrideSettings { get; init; }

        public bool DenseOnly { get; init; }

        public bool Compare { get; init; }
    }

    private static List<RunHistory> Run(Options options, IReadOnlyDictionary<string, string>? settings = null) =>
        SampleRuns.Train(options, settings ?? Settings, dense => SyntheticDigits.Model(dense, Train, Test), new TextReporter(TextWriter.Null), CancellationToken.None);

    [Test]
    public void ResumeStartsALaterNetworkThatNeverBeganAndExtendsEpochs()
    {
        using TempFolder temp = new();
        Run(new Options { Checkpoint = temp.Path });
        // The first run stopped before the dense network began: resuming trains it from scratch, and 2 epochs extend the sparse one.
        List<RunHistory> runs = Run(new Options { Checkpoint = temp.Path, Resume = true, Compare = true, Epochs = 2 }, new Dictionary<string, string>(Settings) { ["epochs"] = "2" });
        Assert.That(runs.Select(r => (r.Name, r.Epochs.Count)), Is.EqualTo(new[] { ("sparse", 2), ("dense", 2) }));
        Assert.That(CheckpointManager.LatestIn(Path.Combine(temp.Path, "dense")), Does.EndWith("epoch-0000000002-step-0000000000"));
    }

    [Test]
    public void ResumeIntoAnEmptyFolderOrWithoutOneIsAnErrorNamingIt()
    {
        using TempFolder temp = new();
        Assert.That(() => Run(new Options { Checkpoint = temp.Path, Resume = true }),
            Throws.InstanceOf<CheckpointException>().With.Message.Contains(Path.Combine(temp.Path, "sparse")));
        Assert.That(() => Run(new Options { Resume = true }), Throws.ArgumentException.With.Message.Contains("--checkpoint"));
    }

    [Test]
    public void ResumeWithOtherSettingsNamesTheSetting()
    {
        using TempFolder temp = new();
        Run(new Options { Checkpoint = temp.Path });
        Assert.That(() => Run(new Options { Checkpoint = temp.Path, Resume = true }, new Dictionary<string, string>(Settings) { ["network"] = "other" }),
            Throws.InstanceOf<CheckpointException>().With.Message.Contains("'network' is 'tiny' in the checkpoint but 'other' in this run"));
        Assert.That(Run(new Options { Checkpoint = temp.Path, Resume = true, OverrideSettings = true }, new Dictionary<string, string>(Settings) { ["network"] = "other" }), Has.Count.EqualTo(1));
    }
}
