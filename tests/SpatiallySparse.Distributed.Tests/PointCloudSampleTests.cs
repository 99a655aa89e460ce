using System.Text.Json;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Distributed.Tests;

/// <summary>
/// The point-cloud sample's <c>--distributed</c> path under <c>mpiexec -n 2</c>, on a tiny grid (16³, U-Net 4-8, 8
/// scenes per epoch, 2 epochs: 8 Adam steps). Scene i depends on (seed, i) alone and, without batch norm, a scene's
/// output on that scene alone, so 2 ranks x 1 scene must train as 1 process x 2 scenes up to float rounding; with
/// batch norm each rank normalises over its own scene, and the epoch losses must agree statistically.
/// </summary>
[TestFixture]
public sealed class PointCloudSampleTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private static readonly string[] NoBatchNorm = ["--batch-norm", "false"];
    private TempFolder _temp = null!;
    private string _single = null!, _twoRanks = null!;

    [OneTimeSetUp]
    public void TrainWithoutBatchNormOnOneProcessAndOnTwoRanks()
    {
        WorkerJob.RequireMpi();
        _temp = new TempFolder();
        _single = Train(0, "single", NoBatchNorm);
        _twoRanks = Train(2, "two", NoBatchNorm);
    }

    [OneTimeTearDown]
    public void DeleteFolder() => _temp?.Dispose();

    [Test]
    public void TwoRanksOfOneSceneGiveTheWeightsOfOneProcessOfTwo()
    {
        float[] reference = Weights(_single, epoch: 2), parallel = Weights(_twoRanks, epoch: 2);
        float scale = reference.Max(MathF.Abs), worst = reference.Zip(parallel, (a, b) => MathF.Abs(a - b)).Max();
        Assert.That(worst / scale, Is.LessThanOrEqualTo(1e-5f), "largest weight difference relative to the largest weight");
        Assert.That(parallel, Is.Not.EqualTo(Weights(_twoRanks, epoch: 1)), "the weights must have moved in epoch 2");
        using JsonDocument one = Results(_single), two = Results(_twoRanks);
        Assert.That(Losses(two), Is.EqualTo(Losses(one)).Within(1e-5), "the global batches' losses");
        // The held-out scenes are shared out (rank r takes r, r + 2, ...): the summed counts cover them all.
        Assert.That(two.RootElement.GetProperty("Voxels").GetInt64(), Is.EqualTo(one.RootElement.GetProperty("Voxels").GetInt64()));
        Assert.That(two.RootElement.GetProperty("Accuracy").GetDouble(), Is.EqualTo(one.RootElement.GetProperty("Accuracy").GetDouble()).Within(0.01));
    }

    [Test]
    public void RankZeroAloneWritesTheCheckpointsAndReportsEachRanksThroughput()
    {
        string checkpoints = Path.Combine(_twoRanks, "checkpoints");
        Assert.That(Directory.GetFileSystemEntries(checkpoints).Select(Path.GetFileName),
            Is.EquivalentTo(new[] { "epoch-0000000001-step-0000000000", "epoch-0000000002-step-0000000000" }), "one checkpoint per epoch, no leftovers");
        string output = File.ReadAllText(Path.Combine(_twoRanks, "output.txt"));
        Assert.That(output, Does.Contain("batch 2 (2 ranks x 1)"));
        Assert.That(output, Does.Match(@"2 ranks: rank 0 [0-9.]+ scenes/s \([0-9.]+ voxels/s\), rank 1 [0-9.]+ scenes/s \([0-9.]+ voxels/s\); total [0-9.]+ scenes/s"));
        Assert.That(output.Split("# Point-cloud segmentation").Length - 1, Is.EqualTo(1), "rank 0 alone reports the results");
    }

    [Test]
    public void AJobStoppedAndResumedOnTwoRanksContinuesExactly()
    {
        string stopped = Train(2, "stopped", [.. NoBatchNorm, "--stop-after", "5"]);
        Assert.That(Directory.GetDirectories(Path.Combine(stopped, "checkpoints")).Select(Path.GetFileName),
            Has.Member("epoch-0000000001-step-0000000001"), "saved before batch 2 of epoch 2");
        string resumed = Train(2, "stopped", [.. NoBatchNorm, "--resume"]);
        Assert.That(Weights(resumed, epoch: 2), Is.EqualTo(Weights(_twoRanks, epoch: 2)), "the same bits as the straight job");
    }

    [Test]
    public void WithBatchNormTheEpochLossesAgree()
    {
        // Statistics over one scene per rank instead of two: the runs differ, their loss levels must not (they start near ln 5 = 1.6).
        using JsonDocument one = Results(Train(0, "single-bn")), two = Results(Train(2, "two-bn"));
        double[] single = Losses(one), parallel = Losses(two);
        Assert.That(parallel, Is.EqualTo(single).Within(0.05));
        Assert.That(parallel, Is.Not.EqualTo(single).Within(1e-6), "batch norm over other scenes changes the run");
    }

    [Test]
    public void ABatchThatTheRanksCannotSplitIsRefusedWithTheReason()
    {
        (int exitCode, string output, _) = WorkerJob.Run(WorkerJob.PointCloudDll, 2, Limit, "--distributed", "--batch", "3", "--out", _temp.Sub("odd"));
        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain("--batch 3 is not divisible by the 2 ranks"));
    }

    /// <summary>Trains on 1 process (<paramref name="ranks"/> 0) or under mpiexec; returns the results folder, which holds the checkpoints and the output.</summary>
    private string Train(int ranks, string name, params string[] extra)
    {
        string folder = _temp.Sub(name);
        string[] args = [.. ranks == 0 ? [] : new[] { "--distributed" }, "--resolution", "16", "--widths", "4,8", "--train-scenes", "8", "--test-scenes", "3",
            "--epochs", "2", "--batch", "2", "--threads", "1", "--out", folder, "--checkpoint", Path.Combine(folder, "checkpoints"), .. extra];
        (int exitCode, string output, _) = WorkerJob.Run(WorkerJob.PointCloudDll, ranks, Limit, args);
        Assert.That(exitCode, Is.Zero, output);
        File.WriteAllText(Path.Combine(folder, "output.txt"), output);
        return folder;
    }

    private static float[] Weights(string folder, int epoch) =>
        [.. SafeTensors.Load(Path.Combine(folder, "checkpoints", $"epoch-{epoch:D10}-step-0000000000", "model.safetensors"))
            .OrderBy(t => t.Key, StringComparer.Ordinal).SelectMany(t => t.Value.Data)];

    private static JsonDocument Results(string folder) => JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));

    private static double[] Losses(JsonDocument results) => [.. results.RootElement.GetProperty("EpochLosses").EnumerateArray().Select(e => e.GetDouble())];
}
