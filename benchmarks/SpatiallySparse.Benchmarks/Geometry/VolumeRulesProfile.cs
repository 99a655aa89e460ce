using System.Diagnostics;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Benchmarks.Support;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Benchmarks.Geometry;

/// <summary>
/// Every 3D rule builder (<see cref="Volumes3d.Builders"/>) on every 3D workload, the builders taking turns build by
/// build so the machine's drift hits them alike: median and best wall ms, M pairs/s, median CPU ms (getrusage, every
/// thread: on a shared machine the steadier figure) and bytes allocated per build (all threads), with the load average. Runs against any build of the library (before/after comparisons alternate
/// two builds' processes of this command).
/// Each workload is warmed up for at least <c>--warmup-ms</c> (default 1000) before its measured builds: a small
/// workload's builds take a few milliseconds, and two warm-up builds left them on the JIT's first-tier code (the
/// first workload of a process measured 51 instead of 101 M pairs/s on one thread until the tiered JIT had recompiled
/// the merge loop), while a training loop runs the optimised code from its first seconds on.
/// <code>volume-rules [--builds 9] [--warmup-ms 1000] [--threads 0] [--builders submanifold3,strided2,deconvolution2] [--workloads shell64,...]</code>
/// </summary>
internal static class VolumeRulesProfile
{
    public static int Run(string[] args)
    {
        CommandOptions options = new(args, "builds", "warmup-ms", "threads", "builders", "workloads");
        int builds = options.Int("builds", 9), warmupMs = options.Int("warmup-ms", 1000);
        string[] builders = options.Text("builders", "submanifold3,strided2,deconvolution2").Split(',');
        string[] workloads = options.Text("workloads", string.Join(",", Volumes3d.Names)).Split(',');
        using CpuBackend backend = new(options.Int("threads", 0));
        Console.WriteLine($"volume-rules: {builds} builds each, builders in turn; backend {backend.Name}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine("builder | workload | sites | pairs | median / best ms | M pairs/s median (best) | CPU ms median | bytes per build | load");
        foreach (string workload in workloads)
            Profile(workload, builders, builds, warmupMs, backend);
        return 0;
    }

    private static void Profile(string workload, string[] builders, int builds, int warmupMs, CpuBackend backend)
    {
        using Tape tape = new(recordGradients: false);
        SparseGrid fine = Volumes3d.Create(workload, backend, tape).Grid;
        SparseGrid coarse = Volumes3d.Coarse(fine);
        double[][] ms = [.. builders.Select(_ => new double[builds])], cpuMs = [.. builders.Select(_ => new double[builds])];
        long[] bytes = new long[builders.Length];
        int[] pairs = new int[builders.Length];
        int saved = GeometryThreads.Lower(backend.Threads);
        try
        {
            long warmupStart = Stopwatch.GetTimestamp();
            for (int round = 0; round < 2 || Stopwatch.GetElapsedTime(warmupStart).TotalMilliseconds < warmupMs; round++)
                foreach (string builder in builders)
                    Volumes3d.Build(builder, fine, coarse);
            for (int i = 0; i < builds; i++)
                for (int k = 0; k < builders.Length; k++)
                {
                    double cpu = Networks.StepProfile.CpuSeconds();
                    long before = GC.GetTotalAllocatedBytes(true);
                    long start = Stopwatch.GetTimestamp();
                    pairs[k] = Volumes3d.Build(builders[k], fine, coarse);
                    double elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    long allocated = GC.GetTotalAllocatedBytes(true) - before;
                    cpu = Networks.StepProfile.CpuSeconds() - cpu;
                    (ms[k][i], cpuMs[k][i], bytes[k]) = (elapsed, cpu * 1e3, allocated);
                }
        }
        finally
        {
            GeometryThreads.Limit = saved;
            coarse.Release();
        }
        string load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        for (int k = 0; k < builders.Length; k++)
        {
            double median = ms[k].Order().ElementAt(builds / 2), best = ms[k].Min(), cpu = cpuMs[k].Order().ElementAt(builds / 2);
            Console.WriteLine($"{builders[k]} | {Volumes3d.Describe(workload)} | {fine.ActiveCount:N0} | {pairs[k]:N0} | {median:F2} / {best:F2} | " +
                $"{pairs[k] / median / 1e3:F1} ({pairs[k] / best / 1e3:F1}) | {cpu:F2} | {bytes[k]:N0} | {load}");
        }
    }
}
