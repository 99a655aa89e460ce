using System.Diagnostics;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Benchmarks.Geometry;

/// <summary>
/// 3x3x3 submanifold rule builds on voxelised 3D surfaces, the merged builder (<see cref="VolumeRules"/>) against
/// the any-dimension path it replaced (still reachable as <c>SubmanifoldRules.Build(merged: false)</c>), alternating
/// in one process so the machine's drift hits both alike. Prints median and best ms per build, M pairs/s and bytes
/// allocated per build (all threads).
/// <code>shapes3d-profile [--builds 15] [--threads 0]</code>
/// </summary>
internal static class Shapes3dProfile
{
    public static int Run(string[] args)
    {
        int builds = Option(args, "--builds", 15), threads = Option(args, "--threads", 0);
        using CpuBackend backend = new(threads);
        Console.WriteLine($"shapes3d-profile: {builds} builds per side, alternating; backend {backend.Name}; load {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("workload | sites | occupancy | pairs | old median / best ms | new median / best ms | old / new M pairs/s (median) | old / new bytes per build | speed-up");
        foreach ((string name, int side, int batch, Func<int, int, IEnumerable<int[]>> scene) in Workloads())
            Profile(name, side, batch, scene, builds, backend);
        return 0;
    }

    private static IEnumerable<(string, int, int, Func<int, int, IEnumerable<int[]>>)> Workloads() =>
    [
        ("shell 64^3 (r 26-28), 1 sample", 64, 1, (_, s) => Volumes3d.Shell(s, 26, 28)),
        ("scenes 128^3 (sphere shell, box shell, plane), batch 8", 128, 8, Volumes3d.Scene),
        ("shell 256^3 (r 100-102), 1 sample", 256, 1, (_, s) => Volumes3d.Shell(s, 100, 102)),
        ("scenes 256^3, batch 4", 256, 4, Volumes3d.Scene),
    ];

    private static void Profile(string name, int side, int batch, Func<int, int, IEnumerable<int[]>> scene, int builds, CpuBackend backend)
    {
        SpatialSize size = SpatialSize.Cube(3, side), filter = SpatialSize.Cube(3, 3);
        SparseInput input = new(batch, 3, 1);
        for (int b = 0; b < batch; b++)
            foreach (int[] site in scene(b, side).DistinctBy(site => (site[0], site[1], site[2])))
                input.Add(b, site, 1f);
        using Tape tape = new(recordGradients: false);
        SparseTensor x = new InputLayer(size).Forward(input, backend, tape);
        int pairs = 0;
        double[] oldMs = new double[builds], newMs = new double[builds];
        long oldBytes = 0, newBytes = 0;
        int saved = GeometryThreads.Lower(backend.Threads);
        try
        {
            for (int i = -2; i < builds; i++)
                foreach (bool merged in new[] { false, true })
                {
                    long before = GC.GetTotalAllocatedBytes(true);
                    long start = Stopwatch.GetTimestamp();
                    RuleBook rules = SubmanifoldRules.Build(x.Grid, filter, merged: merged);
                    double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    long bytes = GC.GetTotalAllocatedBytes(true) - before;
                    pairs = rules.PairCount;
                    rules.Release();
                    if (i < 0)
                        continue;  // warm-up
                    (merged ? newMs : oldMs)[i] = ms;
                    if (merged)
                        newBytes = bytes;
                    else
                        oldBytes = bytes;
                }
        }
        finally
        {
            GeometryThreads.Limit = saved;
        }
        double oldMedian = Median(oldMs), newMedian = Median(newMs);
        double occupancy = 100.0 * x.Grid.ActiveCount / (batch * size.Volume);
        Console.WriteLine($"{name} | {x.Grid.ActiveCount:N0} | {occupancy:F2}% | {pairs:N0} | {oldMedian:F2} / {oldMs.Min():F2} | {newMedian:F2} / {newMs.Min():F2} | " +
            $"{pairs / oldMedian / 1e3:F1} / {pairs / newMedian / 1e3:F1} | {oldBytes:N0} / {newBytes:N0} | {oldMedian / newMedian:F1}x");
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }
}
