using System.Diagnostics;
using System.Globalization;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Benchmarks.Support;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// The <c>step</c> command: times training steps of one workload in this process and prints one line per step,
/// the median, and the step's memory (for <c>benchmarks/peers/cpu-compare.sh</c>, which alternates it with the
/// PyTorch peer). Usage: <c>step [--workload mnist|assamese] [--mode sparse|dense|inference] [--steps 5] [--warmup 2] [--threads 0] [--profile true]
/// [--fuse-pooling false]</c> (--profile: then a per-layer forward/backward table over as many more steps; --fuse-pooling false: the
/// first convolution, activation and pooling as separate ops, to measure what <see cref="Sequential.FusePooling"/> saves).
/// </summary>
public static class StepTimer
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        CommandOptions options = new(args, "workload", "mode", "steps", "warmup", "threads", "profile", "fuse-pooling");
        string name = options.Text("workload", "mnist"), mode = options.Text("mode", "sparse");
        int steps = options.Int("steps", 5), warmup = options.Int("warmup", 2), threads = options.Int("threads", 0);
        if (mode is not ("sparse" or "dense" or "inference"))
            throw new ArgumentException($"--mode '{mode}': expected sparse, dense or inference.");
        StepWorkload workload = StepWorkload.Get(name);
        using CpuBackend backend = new(threads);
        TrainingStep step = new(workload, mode == "dense", backend);
        step.Network.FusePooling = options.Text("fuse-pooling", "true") == "true";
        int distinct = Math.Min(warmup + steps, 10);
        (SparseInput Input, int[] Labels)[] batches = [.. Enumerable.Range(0, distinct).Select(workload.MakeBatch)];
        double sites = batches.Average(b => (double)b.Input.PointCount / b.Input.BatchSize);
        Console.WriteLine($"# ours {mode}: {workload.Description}; batch {workload.BatchSize}, {sites:0} active input sites per sample; {backend.Name}; .NET {Environment.Version}");
        long workingSetBefore = Environment.WorkingSet;
        for (int i = 0; i < warmup; i++)
        {
            if (mode == "inference")
                step.Infer(batches[i % distinct].Input, new int[batches[i % distinct].Labels.Length]);
            else
                step.Run(batches[i % distinct].Input, batches[i % distinct].Labels);
        }

        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int gen0 = GC.CollectionCount(0), gen2 = GC.CollectionCount(2);
        List<double> times = [];
        int[] predictions = new int[workload.BatchSize];
        float loss = 0;
        long stepBytes = 0;  // around the steps alone: the printing between them allocates too
        for (int i = 0; i < steps; i++)
        {
            (SparseInput input, int[] labels) = batches[(warmup + i) % distinct];
            long bytes = GC.GetTotalAllocatedBytes(precise: true);
            long start = Stopwatch.GetTimestamp();
            if (mode == "inference")
                step.Infer(input, predictions);
            else
                loss = step.Run(input, labels);
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            stepBytes += GC.GetTotalAllocatedBytes(precise: true) - bytes;
            times.Add(ms);
            Console.WriteLine(FormattableString.Invariant($"step_ms {ms:0.0}"));
        }
        double allocatedPerStep = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)steps;
        GCMemoryInfo gc = GC.GetGCMemoryInfo(GCKind.Any);
        using Process self = Process.GetCurrentProcess();
        self.Refresh();
        Console.WriteLine(FormattableString.Invariant($"median_ms {Median(times):0.0}"));
        // Working set before the first step: runtime, data and weights. CpuMatrix storage is rented from
        // ArrayPool<float>.Shared and returned when the step's tape is disposed, so after the first steps the
        // pool holds each step's matrices: they count in the managed heap, not in "allocated per step".
        Console.WriteLine(FormattableString.Invariant(
            $"memory working_set_before_steps_mib {Mib(workingSetBefore):0} peak_working_set_mib {Mib(self.PeakWorkingSet64):0} managed_heap_mib {Mib(GC.GetTotalMemory(false)):0} gc_heap_mib {Mib(gc.HeapSizeBytes):0} gc_committed_mib {Mib(gc.TotalCommittedBytes):0} allocated_mib_per_step {Mib(allocatedPerStep):0.0} gen0_per_step {(GC.CollectionCount(0) - gen0) / (double)steps:0.0} gen2_per_step {(GC.CollectionCount(2) - gen2) / (double)steps:0.0} last_loss {loss:0.0000}"));
        Console.WriteLine(FormattableString.Invariant($"step_allocated_bytes_per_step {stepBytes / (double)steps:0} (inside the timed steps only)"));
        if (mode == "sparse")
        {
            // Measured after the memory figures so that it does not change them.
            List<double> geometry = [];
            List<double> flops = [];
            long pairs = 0;
            for (int i = 0; i < steps; i++)
            {
                long start = Stopwatch.GetTimestamp();
                (pairs, double f, _) = step.BuildGeometry(batches[(warmup + i) % distinct].Input);
                geometry.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                flops.Add(f);
            }
            Console.WriteLine(FormattableString.Invariant($"geometry_ms {Median(geometry):0.0} (input grid + all rulebooks of the step, {pairs} pairs; measured separately after the steps)"));
            // Convolution work on active pairs of a step, and that work over the median step time: how far the whole
            // step is from the kernels' rate (and from the FMA peak) once geometry, pooling and the rest are included.
            double gflop = Median(flops) / 1e9;
            Console.WriteLine(FormattableString.Invariant($"convolution_gflop_per_step {gflop:0.00} step_effective_gflops {gflop / (Median(times) / 1e3):0.0}"));
        }
        if (options.Text("profile", "false") == "true")
            Profile(step, batches, warmup, steps);
        return 0;
    }

    /// <summary>
    /// Per-stage forward and backward medians over <paramref name="steps"/> more steps, as a Markdown table; for
    /// convolutions also the rate on active pairs (forward 2 Cin Cout per pair, backward twice that), the median
    /// of each step's own FLOPs over its own time.
    /// </summary>
    private static void Profile(TrainingStep step, (SparseInput Input, int[] Labels)[] batches, int warmup, int steps)
    {
        IReadOnlyList<string> names = step.StageNames;
        List<double[]> forward = [], backward = [], flops = [];
        for (int i = 0; i < steps; i++)
        {
            double[] f = new double[names.Count], b = new double[names.Count];
            (SparseInput input, int[] labels) = batches[(warmup + i) % batches.Length];
            step.RunProfiled(input, labels, f, b);
            forward.Add(f);
            backward.Add(b);
            flops.Add([0, .. step.BuildGeometry(input).LayerForwardFlops]);  // stage s is layer s - 1
        }
        Console.WriteLine($"| stage | forward ms | backward ms | forward GFLOP/s | backward GFLOP/s |  (medians of {steps} profiled steps)");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        double totalForward = 0, totalBackward = 0;
        for (int s = 0; s < names.Count; s++)
        {
            double f = Median([.. forward.Select(v => v[s])]), b = Median([.. backward.Select(v => v[s])]);
            totalForward += f;
            totalBackward += b;
            string rates = s < flops[0].Length && flops[0][s] > 0
                ? FormattableString.Invariant($"{Median([.. flops.Select((w, i) => w[s] / forward[i][s] / 1e6)]):0} | {Median([.. flops.Select((w, i) => 2 * w[s] / backward[i][s] / 1e6)]):0}")
                : " | ";
            Console.WriteLine(FormattableString.Invariant($"| {names[s]} | {f:0.0} | {b:0.0} | {rates} |"));
        }
        Console.WriteLine(FormattableString.Invariant($"| total (sum of medians) | {totalForward:0.0} | {totalBackward:0.0} |"));
    }

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        double[] sorted = [.. values.Order()];
        int n = sorted.Length;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double Mib(double bytes) => bytes / (1024.0 * 1024.0);
}
