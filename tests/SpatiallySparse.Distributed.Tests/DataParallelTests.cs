using System.Globalization;
using System.Runtime.InteropServices;

namespace SpatiallySparse.Distributed.Tests;

/// <summary>Training under <c>mpiexec -n 2</c> against one process with the summed batch (the worker program trains; these tests compare its files).</summary>
[TestFixture]
public sealed class DataParallelTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Test]
    public void TwoRanksOfFiftyGiveTheWeightsOfOneProcessOfHundredAndTheSameBitsRunToRun()
    {
        WorkerJob.RequireMpi();
        using TempFolder temp = new();
        string single = Train(temp.Sub("single"), 0, "100"), first = Train(temp.Sub("first"), 2, "50"), second = Train(temp.Sub("second"), 2, "50");
        float[] reference = Weights(single, 0), rank0 = Weights(first, 0);
        float scale = reference.Max(MathF.Abs), worst = reference.Zip(rank0, (a, b) => MathF.Abs(a - b)).Max();
        Assert.That(worst / scale, Is.LessThanOrEqualTo(1e-5f), "largest weight difference relative to the largest weight");
        Assert.That(rank0, Is.Not.EqualTo(Weights(single, 0, initial: true)), "the weights must have moved");
        Assert.That(File.ReadAllBytes(Path.Combine(first, "weights-rank1.bin")), Is.EqualTo(File.ReadAllBytes(Path.Combine(first, "weights-rank0.bin"))), "ranks agree");
        Assert.That(File.ReadAllBytes(Path.Combine(second, "weights-rank0.bin")), Is.EqualTo(File.ReadAllBytes(Path.Combine(first, "weights-rank0.bin"))), "run to run");
    }

    /// <summary>
    /// With batch normalisation (statistics over 50 samples per rank instead of 100) and dropout (other masks)
    /// the runs differ; what must agree is the loss level: the mean global-batch loss over the last 10 of 20
    /// steps within 0.05 (the losses start near ln 10 = 2.30), and both must have fallen below the first step's.
    /// </summary>
    [Test]
    public void WithBatchNormAndDropoutTheLossTrajectoriesAgree()
    {
        WorkerJob.RequireMpi();
        using TempFolder temp = new();
        double[] single = Losses(Train(temp.Sub("single"), 0, "100", "--bn", "true"));
        double[] parallel = Losses(Train(temp.Sub("parallel"), 2, "50", "--bn", "true"));
        Assert.That(parallel.Skip(10).Average(), Is.EqualTo(single.Skip(10).Average()).Within(0.05));
        Assert.That(single.Skip(15).Average(), Is.LessThan(single[0]));
        Assert.That(parallel.Skip(15).Average(), Is.LessThan(parallel[0]));
    }

    [Test]
    public void ARankThatThrowsEndsTheJobWithItsRankAndMessageWithinSeconds()
    {
        WorkerJob.RequireMpi();
        (int exitCode, string output, TimeSpan elapsed) = WorkerJob.Run(2, Limit, "--mode", "throw", "--batch", "10");
        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain("rank 1: deliberate failure in step 3"));
        Assert.That(elapsed, Is.LessThan(Limit));
    }

    private static string Train(string folder, int ranks, string batch, params string[] extra)
    {
        (int exitCode, string output, _) = WorkerJob.Run(ranks, Limit, [.. new[] { "--reference", ranks == 0 ? "true" : "false", "--batch", batch, "--steps", "20", "--out", folder }, .. extra]);
        Assert.That(exitCode, Is.Zero, output);
        return folder;
    }

    private static float[] Weights(string folder, int rank, bool initial = false)
    {
        if (initial)
        {
            (int exitCode, string output, _) = WorkerJob.Run(0, Limit, "--reference", "true", "--steps", "0", "--out", folder);
            Assert.That(exitCode, Is.Zero, output);
        }
        return MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(folder, $"weights-rank{rank}.bin"))).ToArray();
    }

    private static double[] Losses(string folder) =>
        [.. File.ReadAllLines(Path.Combine(folder, "losses-rank0.txt")).Select(l => double.Parse(l, CultureInfo.InvariantCulture))];
}
