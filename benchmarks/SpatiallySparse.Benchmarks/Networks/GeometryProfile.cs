using System.Diagnostics;
using System.Globalization;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// The <c>geometry-profile</c> command: a workload's geometry item by item (the input layer, then per layer the
/// rules, for every convolution whose input gets a gradient its transposed rules, which backward builds, and
/// for pooling its neighbour table),
/// against full training steps run alternately in the same process. Prints per-item median wall time, the
/// geometry and step medians (wall and process CPU time) and bytes allocated per geometry build.
/// <code>
/// dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- geometry-profile [--workload assamese] [--steps 9] [--warmup 30]
/// </code>
/// </summary>
internal static class GeometryProfile
{
    public static int Run(string[] args)
    {
        string name = Option(args, "--workload", "assamese");
        int steps = int.Parse(Option(args, "--steps", "9"), CultureInfo.InvariantCulture);
        int warmup = int.Parse(Option(args, "--warmup", "30"), CultureInfo.InvariantCulture);
        StepWorkload workload = StepWorkload.Get(name);
        using CpuBackend backend = new(0);
        TrainingStep step = new(workload, dense: false, backend);
        (SparseInput Input, int[] Labels)[] batches = [.. Enumerable.Range(0, 10).Select(workload.MakeBatch)];
        InputLayer inputLayer = new(SpatialSize.Cube(2, workload.GridSide));
        Console.WriteLine($"# geometry-profile {workload.Description}; load average {StepProfile.LoadAverage()}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        List<string> items = [];
        List<double[]> itemMs = [];
        double[] stepMs = new double[steps], stepCpu = new double[steps], geoMs = new double[steps], geoCpu = new double[steps];
        long[] geoBytes = new long[steps];
        for (int s = -warmup; s < steps; s++)
        {
            (SparseInput input, int[] labels) = batches[(s + warmup) % batches.Length];
            double cpu = StepProfile.CpuSeconds();
            long t = Stopwatch.GetTimestamp();
            step.Run(input, labels);
            double ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds, cpuMs = (StepProfile.CpuSeconds() - cpu) * 1e3;
            double[] times = new double[64];
            cpu = StepProfile.CpuSeconds();
            long bytes = GC.GetTotalAllocatedBytes(precise: true);
            t = Stopwatch.GetTimestamp();
            BuildAll(step, inputLayer, input, backend, times, s == -warmup ? items : null);
            double geo = Stopwatch.GetElapsedTime(t).TotalMilliseconds, geoCpuMs = (StepProfile.CpuSeconds() - cpu) * 1e3;
            bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes;
            if (s < 0)
                continue;
            (stepMs[s], stepCpu[s], geoMs[s], geoCpu[s], geoBytes[s]) = (ms, cpuMs, geo, geoCpuMs, bytes);
            for (int i = 0; i < items.Count; i++)
            {
                if (s == 0)
                    itemMs.Add(new double[steps]);
                itemMs[i][s] = times[i];
            }
        }
        Console.WriteLine($"| item | median ms | min ms |  ({steps} builds after {warmup} warm-up, alternating with full steps)");
        Console.WriteLine("| --- | ---: | ---: |");
        for (int i = 0; i < items.Count; i++)
            Console.WriteLine(FormattableString.Invariant($"| {items[i]} | {StepTimer.Median(itemMs[i]):0.00} | {itemMs[i].Min():0.00} |"));
        double geoMedian = StepTimer.Median(geoMs), stepMedian = StepTimer.Median(stepMs);
        Console.WriteLine(FormattableString.Invariant(
            $"geometry wall {geoMedian:0.0} ms (min {geoMs.Min():0.0}) cpu {StepTimer.Median(geoCpu):0.0} ms; step wall {stepMedian:0.0} ms (min {stepMs.Min():0.0}) cpu {StepTimer.Median(stepCpu):0.0} ms; geometry/step wall {100 * geoMedian / stepMedian:0.0}% cpu {100 * StepTimer.Median(geoCpu) / StepTimer.Median(stepCpu):0.0}%; geometry allocates {geoBytes.Average():0} B per build"));
        return 0;
    }

    /// <summary>
    /// The step's geometry, timed item by item into <paramref name="times"/>: what forward and backward of
    /// <paramref name="step"/> build. Names the items into <paramref name="names"/> when given (outside the
    /// measured builds, so that the labels' strings do not count as geometry's allocations).
    /// </summary>
    private static void BuildAll(TrainingStep step, InputLayer inputLayer, SparseInput input, CpuBackend backend, double[] times, List<string>? names)
    {
        int item = 0;
        using Tape tape = new(recordGradients: false);
        long t = Stopwatch.GetTimestamp();
        SparseTensor x = inputLayer.Forward(input, backend, tape);
        times[item++] = Lap(ref t);
        names?.Add("input layer");
        SpatialSize size = x.SpatialSize;
        bool first = true;
        IReadOnlyList<Module> layers = step.Layers;
        for (int i = 0; i < layers.Count; i++)  // no enumerator: nothing but geometry allocates here
        {
            Module layer = layers[i];
            (SpatialSize Filter, SpatialSize Stride)? window = layer switch
            {
                Convolution c => (c.FilterSize, c.Stride),
                Pooling p => (p.PoolSize, p.Stride),
                _ => null,
            };
            if (window is not { } w)
                continue;
            t = Stopwatch.GetTimestamp();
            RuleBook rules = x.Metadata.GetConvolutionRules(size, w.Filter, w.Stride).Rules;
            times[item++] = Lap(ref t);
            string? label = names is null ? null : $"{(layer is Convolution ? "conv" : "pool")} {size} {w.Filter}/{w.Stride}";
            names?.Add($"{label} rules");
            t = Stopwatch.GetTimestamp();
            if (layer is Convolution && !first)
            {
                _ = rules.Transposed;
                times[item++] = Lap(ref t);
                names?.Add($"{label} transposed");
                t = Stopwatch.GetTimestamp();
            }
            if (layer is Pooling)
            {
                // Pooling walks the output-major table; builders that do not keep one build it on first use.
                _ = rules.NeighbourTable;
                times[item++] = Lap(ref t);
                names?.Add($"{label} table");
                t = Stopwatch.GetTimestamp();
            }
            first = false;
            size = ((SparseModule)layer).OutputSpatialSize(size);
        }
    }

    private static double Lap(ref long t)
    {
        long now = Stopwatch.GetTimestamp();
        double ms = Stopwatch.GetElapsedTime(t, now).TotalMilliseconds;
        t = now;
        return ms;
    }

    private static string Option(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
