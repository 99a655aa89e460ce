using System.Diagnostics;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Geometry;
using SpatiallySparse.Ilgpu;
using SpatiallySparse.Layers;

namespace SpatiallySparse.GpuCheck;

/// <summary>Times a 3^d submanifold convolution, 64 -> 64 channels, forward and backward, on large 2D and 3D geometries.</summary>
internal static class ConvolutionTiming
{
    private const int Channels = 64;

    public static void Run(IlgpuBackend backend, Report report, CheckSettings settings)
    {
        // Radius 564: about 1.0M active sites. Sphere radius 190: about 0.8M surface voxels.
        (SparseInput disc, SpatialSize discSize) = Shapes.Disc(settings.DiscRadius);
        TimeLayer(backend, report, "conv2d", disc, discSize, settings.Repeats);
        (SparseInput sphere, SpatialSize sphereSize) = Shapes.SphereSurface(settings.SphereRadius);
        TimeLayer(backend, report, "conv3d", sphere, sphereSize, settings.Repeats);
    }

    private static void TimeLayer(IlgpuBackend backend, Report report, string key, SparseInput input, SpatialSize size, int repeats)
    {
        using Tape tape = new(recordGradients: false);
        Stopwatch build = Stopwatch.StartNew();
        SparseTensor x = new InputLayer(size).Forward(input, backend, tape);
        RuleBook rules = x.Metadata.GetSubmanifoldRules(size, SpatialSize.Cube(size.Dimension, 3));
        double buildMs = build.Elapsed.TotalMilliseconds;
        int rows = x.ActiveCount, taps = rules.FilterVolume;
        using FeatureMatrix features = Random(backend, rows, Channels, 1);
        using FeatureMatrix weights = Random(backend, taps * Channels, Channels, 2);
        using FeatureMatrix output = backend.Allocate(rows, Channels);
        using FeatureMatrix gradOutput = Random(backend, rows, Channels, 3);
        using FeatureMatrix gradInput = backend.Allocate(rows, Channels);
        using FeatureMatrix gradWeights = backend.Allocate(taps * Channels, Channels);
        double forward = Median(backend, repeats, () => backend.ConvolutionForward(features, weights, rules, output));
        double backward = Median(backend, repeats, () => backend.ConvolutionBackward(features, gradOutput, weights, rules, gradInput, gradWeights));
        double flops = 2.0 * rules.PairCount * Channels * Channels;
        Console.WriteLine($"{key}: {rows} active sites, {rules.PairCount} pairs, geometry built on the CPU in {buildMs:F0} ms");
        Print(report, $"{key}_forward", forward, flops);
        Print(report, $"{key}_backward", backward, 2 * flops);
        report.Add($"{key}_sites", rows.ToString());
    }

    private static void Print(Report report, string key, double ms, double flops)
    {
        double tflops = flops / (ms * 1e-3) / 1e12;
        string peak = report.PeakTflops is double p ? $"{100 * tflops / p:F1}% of fp32 peak" : "peak unknown";
        Console.WriteLine($"  {key}: {ms:F2} ms, {tflops:F2} TFLOP/s, {peak}");
        report.Add($"{key}_ms", ms.ToString("F2"));
        report.Add($"{key}_tflops", tflops.ToString("F2"));
    }

    /// <summary>Median wall time of <paramref name="repeats"/> synchronised runs after two warm-up runs (kernel compilation, caches).</summary>
    public static double Median(IlgpuBackend backend, int repeats, Action action)
    {
        for (int i = 0; i < 2; i++)
            action();
        backend.Synchronize();
        double[] times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            Stopwatch watch = Stopwatch.StartNew();
            action();
            backend.Synchronize();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }

    private static FeatureMatrix Random(ISparseBackend backend, int rows, int columns, int seed)
    {
        Random random = new(seed);
        float[] values = new float[(long)rows * columns];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1) * 0.1f;
        FeatureMatrix m = backend.Allocate(rows, columns);
        backend.Upload(values, m);
        return m;
    }
}
