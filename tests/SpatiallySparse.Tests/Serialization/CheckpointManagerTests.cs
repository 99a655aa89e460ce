using NUnit.Framework;
using SpatiallySparse.Optim;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Tests.Serialization;

[TestFixture]
public sealed class CheckpointManagerTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "ss-train-ckpt-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void ResumingHalfWayTrainsExactlyAsAnUninterruptedRun([Values(false, true)] bool adam)
    {
        using TinyRun straight = new(seed: 5, adam);
        List<float> all = straight.Train(8);

        using TinyRun first = new(seed: 5, adam);
        CheckpointManager saving = first.Checkpoints(_dir);
        saving.AddGenerator("data", first.Data);
        Assert.That(first.Train(4), Is.EqualTo(all[..4]));
        saving.Save(0, 4, new Dictionary<string, string> { ["note"] = "half way" });

        // Another seed: weights, dropout generators and data generator all differ until restored.
        using TinyRun second = new(seed: 77, adam);
        CheckpointManager loading = second.Checkpoints(_dir);
        loading.AddGenerator("data", second.Data);
        CheckpointRecord record = loading.Start(resume: true)!;
        Assert.That((record.Epoch, record.StepInEpoch, record.OptimizerStepCount, record.Metadata["note"]), Is.EqualTo((0, 4, 4L, "half way")));
        Assert.That(second.Train(4), Is.EqualTo(all[4..]), "losses after the resume");
        Assert.That(second.Weights(), Is.EqualTo(straight.Weights()));
        OptimizerState a = straight.Optimizer.GetState(), b = second.Optimizer.GetState();
        Assert.That(b.StepCount, Is.EqualTo(a.StepCount));
        foreach ((string name, float[] values) in a.Buffers)
            Assert.That(b.Buffers[name], Is.EqualTo(values), name);
    }

    [Test]
    public void AFlippedByteIsRefusedNamingTheFileAndThePreviousCheckpointStillLoads()
    {
        using TinyRun run = new(seed: 1);
        CheckpointManager checkpoints = run.Checkpoints(_dir);
        run.Train(1);
        string previous = checkpoints.Save(0, 1);
        run.Train(1);
        string latest = checkpoints.Save(0, 2);
        string model = Path.Combine(latest, "model.safetensors");
        byte[] bytes = File.ReadAllBytes(model);
        bytes[^5] ^= 0x01;
        File.WriteAllBytes(model, bytes);

        using TinyRun other = new(seed: 2);
        CheckpointManager loading = other.Checkpoints(_dir);
        Assert.That(() => loading.RestoreLatest(), Throws.InstanceOf<CheckpointException>().With.Message.Contains(model).And.Message.Contains("SHA-256"));
        Assert.That(loading.Restore(previous).StepInEpoch, Is.EqualTo(1));
    }

    [Test]
    public void ATruncatedOrMissingFileIsRefusedNamingIt()
    {
        using TinyRun run = new(seed: 1);
        string saved = run.Checkpoints(_dir).Save(0, 0);
        string optimizer = Path.Combine(saved, "optimizer.safetensors");
        byte[] bytes = File.ReadAllBytes(optimizer);
        File.WriteAllBytes(optimizer, bytes[..(bytes.Length / 2)]);
        Assert.That(() => run.Checkpoints(_dir).RestoreLatest(), Throws.InstanceOf<CheckpointException>().With.Message.Contains(optimizer).And.Message.Contains("truncated"));
        File.Delete(optimizer);
        Assert.That(() => run.Checkpoints(_dir).RestoreLatest(), Throws.InstanceOf<CheckpointException>().With.Message.Contains(optimizer).And.Message.Contains("missing"));
    }

    [Test]
    public void OtherSettingsAreRefusedNamingTheSettingUnlessOverridden()
    {
        using TinyRun run = new(seed: 1);
        run.Checkpoints(_dir).Save(0, 0);
        CheckpointManager changed = run.Checkpoints(_dir, lr: "0.1");
        Assert.That(() => changed.RestoreLatest(), Throws.InstanceOf<CheckpointException>()
            .With.Message.Contains("'lr' is '0.05' in the checkpoint but '0.1' in this run"));
        Assert.That(changed.RestoreLatest(overrideSettings: true).Settings["lr"], Is.EqualTo("0.05"));
    }

    [Test]
    public void AFreshRunIntoAFolderWithCheckpointsIsRefused()
    {
        using TinyRun run = new(seed: 1);
        run.Checkpoints(_dir).Save(0, 0);
        CheckpointManager another = run.Checkpoints(_dir, lr: "0.3");
        Assert.That(() => another.Save(0, 0), Throws.InstanceOf<CheckpointException>().With.Message.Contains(_dir).And.Message.Contains("resume"));
        Assert.That(() => another.Start(resume: false), Throws.InstanceOf<CheckpointException>());
    }

    [Test]
    public void ResumingFromAnEmptyOrAbsentFolderIsAnErrorNamingIt()
    {
        using TinyRun run = new(seed: 1);
        string absent = Path.Combine(_dir, "absent");
        Assert.That(() => run.Checkpoints(absent).Start(resume: true), Throws.InstanceOf<CheckpointException>().With.Message.Contains(absent).And.Message.Contains("does not exist"));
        Assert.That(() => run.Checkpoints(_dir).Start(resume: true), Throws.InstanceOf<CheckpointException>().With.Message.Contains(_dir).And.Message.Contains("no complete checkpoint"));
    }

    [Test]
    public void PruningKeepsTheNewestAndAKilledPruneOrSaveIsIgnored()
    {
        using TinyRun run = new(seed: 1);
        CheckpointManager checkpoints = run.Checkpoints(_dir);
        foreach (int step in new[] { 1, 2, 3 })
            checkpoints.Save(0, step);
        Assert.That(checkpoints.List().Select(Path.GetFileName), Is.EqualTo(new[] { "epoch-0000000000-step-0000000002", "epoch-0000000000-step-0000000003" }));

        // A prune killed mid-delete left a renamed, half-deleted newer-sorting folder; a save killed before its rename left a temporary one.
        string half = Path.Combine(_dir, "epoch-0000000009-step-0000000000.deleting");
        Directory.CreateDirectory(half);
        File.WriteAllText(Path.Combine(half, "state.json"), "{");
        Directory.CreateDirectory(Path.Combine(_dir, "epoch-0000000009-step-0000000001.tmp-0123"));
        string incomplete = Path.Combine(_dir, "epoch-0000000009-step-0000000002");
        Directory.CreateDirectory(incomplete);
        File.WriteAllText(Path.Combine(incomplete, "state.json"), "{}");
        Assert.That(Path.GetFileName(checkpoints.Latest()), Is.EqualTo("epoch-0000000000-step-0000000003"));
        Assert.That(checkpoints.RestoreLatest().StepInEpoch, Is.EqualTo(3));
        checkpoints.Save(0, 4);
        Assert.That(Directory.GetDirectories(_dir).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "epoch-0000000000-step-0000000003", "epoch-0000000000-step-0000000004", "epoch-0000000009-step-0000000002" }),
            "leftovers removed; a folder without a manifest is not a checkpoint and is left alone");
    }

    [Test]
    public void NamesSortInRunOrderAtLargeEpochCounts()
    {
        using TinyRun run = new(seed: 1);
        CheckpointManager checkpoints = new(_dir, run.Network, run.Optimizer, new Dictionary<string, string>()) { Keep = 3 };
        checkpoints.Save(9, 123456);
        checkpoints.Save(10000, 5);
        checkpoints.Save(10000, 40);
        Assert.That(checkpoints.List().Select(Path.GetFileName), Is.EqualTo(new[]
            { "epoch-0000000009-step-0000123456", "epoch-0000010000-step-0000000005", "epoch-0000010000-step-0000000040" }));
        Assert.That(checkpoints.RestoreLatest().Epoch, Is.EqualTo(10000));
        Assert.That(() => checkpoints.Save(-1, 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("[0, 2147483647]"));
    }

    [Test]
    public void AGeneratorMissingFromTheCheckpointIsRefused()
    {
        using TinyRun run = new(seed: 1);
        run.Checkpoints(_dir).Save(0, 0);
        CheckpointManager more = run.Checkpoints(_dir);
        more.AddGenerator("augmentation", new SeededRandom(3));
        Assert.That(() => more.RestoreLatest(), Throws.InstanceOf<CheckpointException>().With.Message.Contains("'augmentation'"));
        Assert.That(() => more.AddGenerator("model.1", new SeededRandom(3)), Throws.ArgumentException.With.Message.Contains("reserved"));
    }
}
