using System.Text.Json;

namespace SpatiallySparse.Distributed.Tests;

/// <summary>
/// The MNIST sample's <c>--distributed</c> path under <c>mpiexec</c>, on the real files when a copy is found
/// (shared/data/mnist above the test folder; ignored otherwise, the sample verifies their checksums). With
/// per-sample augmentation the ranks' shards together are the single rank's batches, so 2 ranks x 10 must train as
/// 1 rank x 20 up to float rounding, and a resumed job must continue with the same bits.
/// </summary>
[TestFixture]
public sealed class MnistSampleTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private TempFolder _temp = null!;
    private string _data = null!;
    private double[] _twoRanks = null!;

    [OneTimeSetUp]
    public void TrainTwoEpochsOnTwoRanks()
    {
        WorkerJob.RequireMpi();
        _data = FindMnist() ?? throw new IgnoreException("No copy of MNIST (shared/data/mnist) above this folder.");
        _temp = new TempFolder();
        _twoRanks = Losses(Train(2, "20", "2", _temp.Sub("two")));
    }

    [OneTimeTearDown]
    public void DeleteFolder() => _temp?.Dispose();

    [Test]
    public void TwoRanksOfTenGiveTheEpochLossesOfOneRankOfTwenty()
    {
        double[] oneRank = Losses(Train(1, "20", "2", _temp.Sub("one")));
        for (int epoch = 0; epoch < 2; epoch++)
            Assert.That(Math.Abs(_twoRanks[epoch] - oneRank[epoch]) / oneRank[epoch], Is.LessThanOrEqualTo(1e-4), $"epoch {epoch + 1}");
        Assert.That(_twoRanks[1], Is.LessThan(_twoRanks[0] - 1e-3), "the loss must have moved, or the comparison says nothing");
    }

    [Test]
    public void ACheckpointedJobResumedOnTwoRanksContinuesExactly()
    {
        string checkpoints = _temp.Sub("checkpoints");
        Train(2, "20", "1", _temp.Sub("first"), "--checkpoint", checkpoints);
        Assert.That(Directory.GetDirectories(Path.Combine(checkpoints, "sparse")), Has.Length.EqualTo(1), "rank 0 alone writes the one checkpoint");
        string resumed = Train(2, "20", "2", _temp.Sub("resumed"), "--checkpoint", checkpoints, "--resume");
        Assert.That(Losses(resumed), Is.EqualTo(_twoRanks), "the restored epoch 1 and the continued epoch 2 match the straight job's bits");
    }

    [Test]
    public void ABatchThatTheRanksCannotSplitIsRefusedWithTheReason()
    {
        (int exitCode, string output, _) = WorkerJob.Run(WorkerJob.MnistDll, 2, Limit, "--distributed", "--batch", "21", "--data", _data, "--out", _temp.Sub("odd"));
        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain("--batch 21 is not divisible by the 2 ranks"));
    }

    /// <summary>Trains DeepCNet(4, 4) on the first 400 training and 100 test images; returns the results folder.</summary>
    private string Train(int ranks, string batch, string epochs, string outFolder, params string[] extra)
    {
        string[] args = ["--distributed", "--batch", batch, "--epochs", epochs, "--l", "4", "--k", "4", "--threads", "1", "--compare", "false",
            "--train-subset", "400", "--test-subset", "100", "--data", _data, "--out", outFolder, .. extra];
        (int exitCode, string output, _) = WorkerJob.Run(WorkerJob.MnistDll, ranks, Limit, args);
        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain($"{ranks} ranks: rank 0 "), "per-rank throughput reported");
        return outFolder;
    }

    private static double[] Losses(string outFolder)
    {
        using JsonDocument results = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "results.json")));
        return [.. results.RootElement.GetProperty("runs")[0].GetProperty("Epochs").EnumerateArray().Select(e => e.GetProperty("TrainLoss").GetDouble())];
    }

    private static string? FindMnist()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "shared", "data", "mnist");
            if (File.Exists(Path.Combine(candidate, "train-images-idx3-ubyte")) || File.Exists(Path.Combine(candidate, "train-images-idx3-ubyte.gz")))
                return candidate;
        }
        return null;
    }
}
