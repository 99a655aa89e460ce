using MnistDeepCNet;
using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Samples.Common;

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
    public void ResumedRunEndsWithTheSameParametersAsAnUninterruptedOne()
    {
        using TempFolder temp = new();
        MnistTrainable straight = SyntheticDigits.Model(false, Train, Test);
        RunHistory full = new Trainer(Options(temp.File("a")), new TextReporter(TextWriter.Null)).Run(straight);

        // Stop in the middle of epoch 2 (after 4 + 1 batches), then continue in a fresh process-like model.
        RunHistory stopped = new Trainer(Options(temp.File("b"), stopAfter: 5), new TextReporter(TextWriter.Null)).Run(SyntheticDigits.Model(false, Train, Test));
        Assert.That(stopped.Interrupted, Is.True);
        Assert.That(Directory.GetDirectories(temp.File("b")).Select(Path.GetFileName), Does.Contain("epoch-0001-batch-000001"));
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
        string latest = new CheckpointStore(temp.File("c")).Latest()!;
        string model = Path.Combine(latest, "model.safetensors");
        byte[] bytes = File.ReadAllBytes(model);
        File.WriteAllBytes(model, bytes[..(bytes.Length / 2)]);

        Trainer trainer = new(Options(temp.File("c"), resume: true), new TextReporter(TextWriter.Null));
        CheckpointException e = Assert.Throws<CheckpointException>(() => trainer.Run(SyntheticDigits.Model(false, Train, Test)))!;
        Assert.That(e.Message, Does.Contain(latest).And.Contain("--resume"));
    }

    [Test]
    public void CheckpointsAreWrittenAtomicallyAndOldOnesPruned()
    {
        using TempFolder temp = new();
        new Trainer(Options(temp.File("d")) with { Epochs = 3 }, new TextReporter(TextWriter.Null)).Run(SyntheticDigits.Model(false, Train, Test));
        string[] names = [.. Directory.GetDirectories(temp.File("d")).Select(Path.GetFileName).Order()!];
        Assert.That(names, Is.EqualTo(new[] { "epoch-0002-batch-000000", "epoch-0003-batch-000000" }));
        Assert.That(Directory.GetFiles(Path.Combine(temp.File("d"), names[1])).Select(Path.GetFileName), Is.EquivalentTo(new[] { "model.safetensors", "optimizer.safetensors" }));
    }

    [Test]
    public void CancellationStopsAndSaves()
    {
        using TempFolder temp = new();
        using CancellationTokenSource cancel = new();
        cancel.Cancel();
        RunHistory run = new Trainer(Options(temp.File("e")), new TextReporter(TextWriter.Null), cancel.Token).Run(SyntheticDigits.Model(false, Train, Test));
        Assert.That(run.Interrupted, Is.True);
        Assert.That(new CheckpointStore(temp.File("e")).Latest(), Does.EndWith("epoch-0000-batch-000000"));
    }
}
