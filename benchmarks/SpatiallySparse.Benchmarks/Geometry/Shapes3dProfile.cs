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
        ("shell 64^3 (r 26-28), 1 sample", 64, 1, (_, s) => Shell(s, 26, 28)),
        ("scenes 128^3 (sphere shell, box shell, plane), batch 8", 128, 8, Scene),
        ("shell 256^3 (r 100-102), 1 sample", 256, 1, (_, s) => Shell(s, 100, 102)),
        ("scenes 256^3, batch 4", 256, 4, Scene),
    ];

    private static void Profile(string name, int side, int batch, Func<int, int, IEnumerable<int[]>> scene, int builds, CpuBackend backend)
    {
        SpatialSize size = SpatialSize.Cube(3, side), filter = SpatialSize.Cube(3, 3);
        SparseInput input = new(batch, 3, 1);
        for (int b = 0; b < batch; b++)
            foreach (int[] site in scene(b, side).Distinct(new SiteComparer()))
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

    /// <summary>Sites whose distance from the centre lies in [inner, outer].</summary>
    private static IEnumerable<int[]> Shell(int side, double inner, double outer)
    {
        double c = (side - 1) / 2.0;
        for (int i = 0; i < side; i++)
            for (int j = 0; j < side; j++)
                for (int k = 0; k < side; k++)
                {
                    double r = Math.Sqrt((i - c) * (i - c) + (j - c) * (j - c) + (k - c) * (k - c));
                    if (r >= inner && r <= outer)
                        yield return [i, j, k];
                }
    }

    /// <summary>A sphere shell, the surface of a box and a tilted plane, placed by the sample number.</summary>
    private static IEnumerable<int[]> Scene(int sample, int side)
    {
        Random random = new(sample);
        int q = side / 4;
        double cx = q + random.Next(q), cy = q + random.Next(q), cz = q + random.Next(q), r = q * 0.8;
        for (double u = 0; u < Math.PI; u += 0.5 / r)
            for (double v = 0; v < 2 * Math.PI; v += 0.5 / r)
                yield return Clamp(side, cx + r * Math.Sin(u) * Math.Cos(v), cy + r * Math.Sin(u) * Math.Sin(v), cz + r * Math.Cos(u));
        int lo = random.Next(q), hi = lo + 2 * q;
        for (int a = lo; a <= hi; a++)
            for (int b = lo; b <= hi; b++)
                foreach (int[] s in new[] { new[] { lo, a, b }, [hi, a, b], [a, lo, b], [a, hi, b], [a, b, lo], [a, b, hi] })
                    yield return s;
        double tilt = 0.1 + 0.3 * random.NextDouble();
        for (int a = 0; a < side; a++)
            for (int b = 0; b < side; b++)
                yield return Clamp(side, a, b, side / 2 + tilt * (a - side / 2));
    }

    private static int[] Clamp(int side, double x, double y, double z) =>
        [Math.Clamp((int)Math.Round(x), 0, side - 1), Math.Clamp((int)Math.Round(y), 0, side - 1), Math.Clamp((int)Math.Round(z), 0, side - 1)];

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

    private sealed class SiteComparer : IEqualityComparer<int[]>
    {
        public bool Equals(int[]? a, int[]? b) => a is not null && b is not null && a.AsSpan().SequenceEqual(b);

        public int GetHashCode(int[] site) => HashCode.Combine(site[0], site[1], site[2]);
    }
}
