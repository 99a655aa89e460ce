using System.Diagnostics;
using MnistDeepCNet;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Benchmarks.Support;
using SpatiallySparse.Data;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// The <c>loader-overlap</c> command: how much of the batch build (points, input layer and every rulebook of
/// DeepCNet(5, 60) on MNIST digits, shifted as the sample's training does) a <see cref="SparseBatchLoader"/> hides
/// behind a training step that keeps the CPU free, as a GPU step does: the consumer sleeps --step-ms per batch.
/// Prints the build time per batch measured alone (on one thread, as a worker builds), the consumer's wait per
/// batch with 1 and 2 workers, and the fraction of the build hidden (1 - wait / build).
/// <code>
/// dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- loader-overlap [--step-ms 7] [--batches 40] [--warmup 3] [--ahead 2]
/// </code>
/// </summary>
internal static class LoaderOverlap
{
    private const int BatchSize = 100, L = 5;

    public static int Run(string[] args)
    {
        CommandOptions options = new(args, "step-ms", "batches", "warmup", "ahead");
        int stepMs = options.Int("step-ms", 7), batches = options.Int("batches", 40), warmup = options.Int("warmup", 3), ahead = options.Int("ahead", 2);
        MnistDigits digits = MnistDigits.Load(MnistDigits.Locate());
        Sequential net = DeepCNet.Create(new DeepCNetOptions { L = L, K = 60, Classes = 10, Seed = 1 });
        DigitRasterizer rasterizer = new(DeepCNet.InputSide(L), MnistDigits.Threshold);
        Console.WriteLine($"# loader-overlap: DeepCNet(5, 60), MNIST training digits (shifted up to 2), batch {BatchSize}, {batches} batches after {warmup} warm-up, " +
            $"consumer step {stepMs} ms (sleep), {ahead} batches ahead; {Environment.ProcessorCount} cores, load average {StepProfile.LoadAverage()}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        SparseBatchLoaderOptions Options(int workers) => new()
        {
            SampleCount = (batches + warmup) * BatchSize,
            BatchSize = BatchSize,
            GridSize = SpatialSize.Cube(2, DeepCNet.InputSide(L)),
            Channels = 1,
            AddSample = (input, slot, index, random) => rasterizer.Add(digits.Train.Images.Image(index), input, slot, random),
            Label = index => digits.Train.Labels[index],
            Backend = CpuBackend.Shared,
            Seed = 1,
            Workers = workers,
            BatchesAhead = ahead,
            Augmentation = AugmentationScope.Batch,
            Network = net,
        };
        double build = BuildAlone(Options(1), batches, warmup);
        Console.WriteLine($"build alone (1 thread)      {build,8:0.00} ms/batch (median)");
        foreach (int workers in new[] { 1, 2 })
        {
            (double median, double mean) = Waits(Options(workers), stepMs, warmup);
            Console.WriteLine($"wait, {workers} worker{(workers == 1 ? " " : "s")}            {median,8:0.00} ms/batch (median), {mean:0.00} mean; " +
                $"hidden {Math.Max(0, 1 - mean / build):P1} of the build (1 - mean wait / build)");
        }
        return 0;
    }

    /// <summary>Median ms to build one batch on this thread, geometry capped to it as on a loader worker.</summary>
    private static double BuildAlone(SparseBatchLoaderOptions options, int batches, int warmup)
    {
        using SparseBatchLoader loader = new(options);
        int[] order = BatchSeeds.EpochOrder(options.Seed, 0, options.SampleCount);
        SampleRandom random = new();
        int previous = GeometryThreads.Limit;
        GeometryThreads.Limit = 1;
        try
        {
            List<double> ms = [];
            for (int b = 0; b < batches + warmup; b++)
            {
                long t = Stopwatch.GetTimestamp();
                loader.Build(0, b, order, random).Dispose();
                if (b >= warmup)
                    ms.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
            return Median(ms);
        }
        finally
        {
            GeometryThreads.Limit = previous;
        }
    }

    /// <summary>The consumer's wait per batch (median, mean ms) while it "trains" by sleeping <paramref name="stepMs"/> per batch.</summary>
    private static (double Median, double Mean) Waits(SparseBatchLoaderOptions options, int stepMs, int warmup)
    {
        using SparseBatchLoader loader = new(options);
        List<double> waits = [];
        using IEnumerator<SparseBatch> batches = loader.Epoch(0).GetEnumerator();
        long t = Stopwatch.GetTimestamp();
        for (int b = 0; batches.MoveNext(); b++)
        {
            if (b >= warmup)
                waits.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            using (batches.Current)
                Thread.Sleep(stepMs);
            t = Stopwatch.GetTimestamp();
        }
        return (Median(waits), waits.Average());
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
