using MnistDeepCNet;
using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Samples.Common;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Samples.Tests;

[TestFixture]
public sealed class TrainerTests
{
    private static readonly MnistSplit Train = SyntheticDigits.Split(40, seed: 1), Test = SyntheticDigits.Split(15, seed: 2);

    private static TrainerOptions Options(string? checkpoints, bool resume = false, int? stopAfter = null) => new()
    {
        Epochs = 2, BatchSize = 10, Seed = 9, CheckpointFolder = checkpoints, Resume = resume, StopAfterBatches = stopAfter,
    };

    [Test]
    public void NesterovMomentumReachesTheOptimiserAndChangesTheSteps()
    {
        // --nesterov: the sample's optimiser takes Nesterov steps, which after the first step differ from classical momentum's.
        MnistTrainable classical = SyntheticDigits.Model(false, Train, Test), nesterov = SyntheticDigits.Model(false, Train, Test, nesterov: true);
        Assert.That((classical.Optimizer.Nesterov, nesterov.Optimizer.Nesterov), Is.EqualTo((false, true)));
        RunHistory a = new Trainer(Options(null), new TextReporter(TextWriter.Null)).Run(classical);
        RunHistory b = new Trainer(Options(null), new TextReporter(TextWriter.Null)).Run(nesterov);
        Assert.That(b.Epochs[^1].TrainLoss, Is.Not.EqualTo(a.Epochs[^1].TrainLoss));
    }

    [Test]
    public void ResumedRunEndsWithTheSameParametersAsAnUninterruptedOne()
    {
        using TempFolder temp = new();
        MnistTrainable straight = SyntheticDigits.Model(false, Train, Test);
        RunHistory full = new Trainer(Options(temp.File("a")), new TextReporter(TextWriter.Null)).Run(straight);

        // Stop in the middle of epoch 2 (after 4 + 1 batches), then continue in a fresh process-like model.
        RunHistory stopped = new Trainer(Options(temp.File("b"), stopAfter: 5), new TextReporter(TextWriter.Null)).Run(SyntheticDigits.Model(false, Train, Test));
        Assert.That(stopped.Interrupted, Is.True);
        Assert.That(Directory.GetDirectories(temp.File("b")).Select(Path.GetFileName), Does.Contain("epoch-0000000001-step-0000000001"));
        MnistTrainable resumed = SyntheticDigits.Model(false, Train, Test);
        RunHistory rest = new Trainer(Options(temp.File("b"), resume: true), new TextReporter(TextWriter.Null)).Run(resumed);

        Assert.That(rest.Interrupted, Is.False);
        Assert.That(rest.Epochs.Select(e => e.TrainLoss), Is.EqualTo(full.Epochs.Select(e => e.TrainLoss)));
        Assert.That(resumed.Optimizer.StepCount, Is.EqualTo(straight.Optimizer.StepCount));
        foreach (((string name, Parameter a), (_, Parameter b)) in straight.Network.NamedParameters().Zip(resumed.Network.NamedParameters()))
            Assert.That(b.GetValues(), Is.EqualTo(a.GetValues()), $"parameter {name}");
    }

    [Test]
    public void CorruptedCheckpointGivesAClearError()
    {
        using TempFolder temp = new();
        new Trainer(Options(temp.File("c")) with { Epochs = 1 }, new TextReporter(TextWriter.Null)).Run(SyntheticDigits.Model(false, Train, Test));
        string latest = CheckpointManager.LatestIn(temp.File("c"))!;
        string model = Path.Combine(latest, "model.safetensors");
        byte[] bytes = File.ReadAllBytes(model);
        File.WriteAllBytes(model, bytes[..(bytes.Length / 2)]);

        Trainer trainer = new(Options(temp.File("c"), resume: true), new TextReporter(TextWriter.Null));
        CheckpointException e = Assert.Throws<CheckpointException>(() => trainer.Run(SyntheticDigits.Model(false, Train, Test)))!;
        Assert.That(e.Message, Does.Contain(model).And.Contain("truncated"));
    }

    [Test]
    public void CheckpointsAreWrittenAtomicallyAndOldOnesPruned()
    {
        using TempFolder temp = new();
        new Trainer(Options(temp.File("d")) with { Epochs = 3 }, new TextReporter(TextWriter.Null)).Run(SyntheticDigits.Model(false, Train, Test));
        string[] names = [.. Directory.GetDirectories(temp.File("d")).Select(Path.GetFileName).Order()!];
        Assert.That(names, Is.EqualTo(new[] { "epoch-0000000002-step-0000000000", "epoch-0000000003-step-0000000000" }));
        Assert.That(Directory.GetFiles(Path.Combine(temp.File("d"), names[1])).Select(Path.GetFileName), Is.EquivalentTo(new[] { "checksums.sha256", "model.safetensors", "optimizer.safetensors", "state.json" }));
    }

    [Test]
    public void CancellationStopsAndSaves()
    {
        using TempFolder temp = new();
        using CancellationTokenSource cancel = new();
        cancel.Cancel();
        RunHistory run = new Trainer(Options(temp.File("e")), new TextReporter(TextWriter.Null), cancel.Token).Run(SyntheticDigits.Model(false, Train, Test));
        Assert.That(run.Interrupted, Is.True);
        Assert.That(CheckpointManager.LatestIn(temp.File("e")), Does.EndWith("epoch-0000000000-step-0000000000"));
    }

    [Test]
    public void ResumeWithoutACheckpointIsAnErrorNamingTheFolder()
    {
        using TempFolder temp = new();
        Directory.CreateDirectory(temp.File("empty"));
        Trainer empty = new(Options(temp.File("empty"), resume: true), new TextReporter(TextWriter.Null));
        Assert.That(() => empty.Run(SyntheticDigits.Model(false, Train, Test)), Throws.InstanceOf<CheckpointException>().With.Message.Contains(temp.File("empty")));
        Trainer none = new(Options(null, resume: true), new TextReporter(TextWriter.Null));
        Assert.That(() => none.Run(SyntheticDigits.Model(false, Train, Test)), Throws.ArgumentException.With.Message.Contains("--checkpoint"));
    }

    [Test]
    public void ResumeWithAnotherSeedIsRefusedUnlessOverriddenAndAFreshRunMayNotReuseTheFolder()
    {
        using TempFolder temp = new();
        new Trainer(Options(temp.File("f"), stopAfter: 2), new TextReporter(TextWriter.Null)).Run(SyntheticDigits.Model(false, Train, Test));
        Trainer otherSeed = new(Options(temp.File("f"), resume: true) with { Seed = 10 }, new TextReporter(TextWriter.Null));
        Assert.That(() => otherSeed.Run(SyntheticDigits.Model(false, Train, Test)),
            Throws.InstanceOf<CheckpointException>().With.Message.Contains("'trainer.seed' is '9' in the checkpoint but '10' in this run"));
        Trainer forced = new(Options(temp.File("f"), resume: true, stopAfter: 1) with { Seed = 10, OverrideSettings = true }, new TextReporter(TextWriter.Null));
        Assert.That(forced.Run(SyntheticDigits.Model(false, Train, Test)).Interrupted, Is.True);
        Trainer fresh = new(Options(temp.File("f")), new TextReporter(TextWriter.Null));
        Assert.That(() => fresh.Run(SyntheticDigits.Model(false, Train, Test)), Throws.InstanceOf<CheckpointException>().With.Message.Contains("already holds"));
    }
}
