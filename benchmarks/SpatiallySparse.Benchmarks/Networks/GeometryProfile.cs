using System.Diagnostics;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Benchmarks.Support;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// The <c>geometry-profile</c> command: a workload's geometry item by item (the input layer, then per layer the
/// rules, for every convolution whose input gets a gradient its transposed rules, which backward builds, and
/// for pooling its neighbour table),
/// against full training steps run alternately in the same process. Prints per-item median and minimum wall time,
/// the item's size (pairs of the rules it belongs to; active input sites for the input layer) and wall time per
/// pair (or site), the geometry and step medians (wall and process CPU time) and bytes allocated per geometry build.
/// <code>
/// dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- geometry-profile [--workload assamese] [--steps 9] [--warmup 30]
/// </code>
/// </summary>
internal static class GeometryProfile
{
    public static int Run(string[] args)
    {
        CommandOptions options = new(args, "workload", "steps", "warmup");
        string name = options.Text("workload", "assamese");
        int steps = options.Int("steps", 9), warmup = options.Int("warmup", 30);
        StepWorkload workload = StepWorkload.Get(name);
        using CpuBackend backend = new(0);
        TrainingStep step = new(workload, dense: false, backend);
        (SparseInput Input, int[] Labels)[] batches = [.. Enumerable.Range(0, 10).Select(workload.MakeBatch)];
        InputLayer inputLayer = new(SpatialSize.Cube(2, workload.GridSide));
        Console.WriteLine($"# geometry-profile {workload.Description}; load average {StepProfile.LoadAverage()}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        List<string> items = [];
        PieceTimer timer = new();
        List<double[]> itemMs = [], itemNsPer = [];
        List<long[]> itemSize = [];
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
            long[] sizes = new long[64];
            cpu = StepProfile.CpuSeconds();
            long bytes = GC.GetTotalAllocatedBytes(precise: true);
            t = Stopwatch.GetTimestamp();
            timer.Start(times, sizes, s == -warmup ? items : null);
            BuildAll(step, inputLayer, input, backend, timer);
            double geo = Stopwatch.GetElapsedTime(t).TotalMilliseconds, geoCpuMs = (StepProfile.CpuSeconds() - cpu) * 1e3;
            bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes;
            if (s < 0)
                continue;
            (stepMs[s], stepCpu[s], geoMs[s], geoCpu[s], geoBytes[s]) = (ms, cpuMs, geo, geoCpuMs, bytes);
            for (int i = 0; i < items.Count; i++)
            {
                if (s == 0)
                {
                    itemMs.Add(new double[steps]);
                    itemSize.Add(new long[steps]);
                    itemNsPer.Add(new double[steps]);
                }
                (itemMs[i][s], itemSize[i][s]) = (times[i], sizes[i]);
                itemNsPer[i][s] = sizes[i] > 0 ? 1e6 * times[i] / sizes[i] : 0;
            }
        }
        // The batches differ, so each build's time is divided by its own size before taking the median.
        Console.WriteLine($"| item | median ms | min ms | pairs (sites) | ns per pair (site) |  ({steps} builds after {warmup} warm-up, alternating with full steps)");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        for (int i = 0; i < items.Count; i++)
            Console.WriteLine(FormattableString.Invariant(
                $"| {items[i]} | {StepTimer.Median(itemMs[i]):0.00} | {itemMs[i].Min():0.00} | {StepTimer.Median([.. itemSize[i].Select(n => (double)n)]):0} | {StepTimer.Median(itemNsPer[i]):0.0} |"));
        Console.WriteLine(RulesRate(items, itemMs, itemSize, steps));
        double geoMedian = StepTimer.Median(geoMs), stepMedian = StepTimer.Median(stepMs);
        Console.WriteLine(FormattableString.Invariant(
            $"geometry wall {geoMedian:0.0} ms (min {geoMs.Min():0.0}) cpu {StepTimer.Median(geoCpu):0.0} ms; step wall {stepMedian:0.0} ms (min {stepMs.Min():0.0}) cpu {StepTimer.Median(stepCpu):0.0} ms; geometry/step wall {100 * geoMedian / stepMedian:0.0}% cpu {100 * StepTimer.Median(geoCpu) / StepTimer.Median(stepCpu):0.0}%; geometry allocates {geoBytes.Average():0} B per build"));
        return 0;
    }

    /// <summary>The rulebooks' construction rate: per build, all "rules" items' pairs over their summed time; medians.</summary>
    private static string RulesRate(List<string> items, List<double[]> itemMs, List<long[]> itemSize, int steps)
    {
        double[] ms = new double[steps], pairs = new double[steps], rate = new double[steps];
        for (int s = 0; s < steps; s++)
        {
            for (int i = 0; i < items.Count; i++)
                if (items[i].EndsWith(" rules", StringComparison.Ordinal))
                    (ms[s], pairs[s]) = (ms[s] + itemMs[i][s], pairs[s] + itemSize[i][s]);
            rate[s] = pairs[s] / ms[s] / 1e3;
        }
        return FormattableString.Invariant(
            $"rules: {StepTimer.Median(pairs):0} pairs in {StepTimer.Median(ms):0.00} ms (min {ms.Min():0.00}), {StepTimer.Median(rate):0.0} M pairs/s ({1e3 / StepTimer.Median(rate):0.0} ns per pair)");
    }

    /// <summary>
    /// The step's geometry, timed item by item by <paramref name="timer"/>: the input layer, then what
    /// <see cref="TrainingStep.Prebuild"/> builds (what forward and backward of <paramref name="step"/> build).
    /// </summary>
    private static void BuildAll(TrainingStep step, InputLayer inputLayer, SparseInput input, CpuBackend backend, PieceTimer timer)
    {
        using Tape tape = new(recordGradients: false);
        SparseTensor x = inputLayer.Forward(input, backend, tape);
        timer.Lap("input layer", x.ActiveCount);
        TrainingStep.Prebuild(step.Network, x, built: timer.Built);
    }

    /// <summary>
    /// Records the time of each geometry piece into an array, and names the pieces into a list when given (only
    /// outside the measured builds, so that the labels' strings do not count as geometry's allocations). Made
    /// once, with its delegate, so that timing a build allocates nothing.
    /// </summary>
    private sealed class PieceTimer
    {
        private double[] _times = [];
        private long[] _sizes = [];
        private List<string>? _names;
        private int _item;
        private long _t;

        public PieceTimer() => Built = OnBuilt;

        public GeometryPieceBuilt Built { get; }

        public void Start(double[] times, long[] sizes, List<string>? names)
        {
            (_times, _sizes, _names, _item, _t) = (times, sizes, names, 0, Stopwatch.GetTimestamp());
        }

        public void Lap(string name, long size)
        {
            _sizes[_item] = size;
            _times[_item++] = TrainingStep.Lap(ref _t);
            _names?.Add(name);
        }

        private void OnBuilt(string piece, Module layer, SpatialSize inputSize, SpatialSize filter, SpatialSize stride, int pairs)
        {
            _sizes[_item] = pairs;
            _times[_item++] = TrainingStep.Lap(ref _t);
            _names?.Add($"{(layer is Convolution ? "conv" : "pool")} {inputSize} {filter}/{stride} {piece}");
        }
    }
}
