using System.Globalization;

namespace SpatiallySparse.Distributed.Worker;

/// <summary>
/// Trains a small network for --steps steps of --batch samples per process and writes, to --out, every
/// parameter's final values (<c>weights-rank{r}.bin</c>, raw little-endian floats) and the global batch's mean
/// loss per step (<c>losses-rank{r}.txt</c>). --bn true: batch normalisation and dropout; else DeepCNet(3, 8).
/// </summary>
internal static class TrainRun
{
    public static int Reference(WorkerOptions options) => Train(options, null);

    public static int Distributed(WorkerOptions options, DistributedSession session) => Train(options, session);

    /// <summary>Rank 1 throws in step 3 while rank 0 goes on into the next all-reduce, which would wait forever without the abort.</summary>
    public static int ThrowOnRankOne(WorkerOptions options, DistributedSession session)
    {
        using TrainingSetup setup = new(options, session);
        for (int step = 0; step < 1000; step++)
        {
            if (session.Rank == 1 && step == 3)
                throw new InvalidOperationException("deliberate failure in step 3");
            setup.Step(setup.NextBatch(step));
        }
        return 0;
    }

    private static int Train(WorkerOptions options, DistributedSession? session)
    {
        using TrainingSetup setup = new(options, session);
        int steps = options.Int("steps", 20), rank = session?.Rank ?? 0;
        List<string> losses = [];
        for (int step = 0; step < steps; step++)
            losses.Add(setup.Step(setup.NextBatch(step)).ToString("R", CultureInfo.InvariantCulture));
        string folder = options.Text("out", ".");
        File.WriteAllLines(Path.Combine(folder, $"losses-rank{rank}.txt"), losses);
        float[] weights = setup.Network.Parameters().SelectMany(p => p.GetValues()).ToArray();
        File.WriteAllBytes(Path.Combine(folder, $"weights-rank{rank}.bin"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(weights.AsSpan()).ToArray());
        return 0;
    }
}
