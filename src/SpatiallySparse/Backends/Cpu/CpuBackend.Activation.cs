using SpatiallySparse.Backends.Cpu.Simd;

namespace SpatiallySparse.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>Floats per chunk of the parallel activation passes: 64 KB per stream, well inside L2.</summary>
    private const int ActivationChunk = 16 * 1024;

    /// <inheritdoc/>
    public unsafe void LeakyReluForward(FeatureMatrix x, FeatureMatrix y, float slope)
    {
        CheckSameShape(x, y, nameof(LeakyReluForward));
        Span<float> xs = Host(x), ys = Host(y);
        fixed (float* px = xs, py = ys)
            RangeJob<LeakyReluForwardOperation>.Run(new(px, py, slope, Simd), xs.Length, ActivationChunk, xs.Length, Threads);
    }

    /// <inheritdoc/>
    public unsafe void LeakyReluBackward(FeatureMatrix x, FeatureMatrix gradY, FeatureMatrix gradX, float slope)
    {
        CheckSameShape(x, gradY, nameof(LeakyReluBackward));
        CheckSameShape(x, gradX, nameof(LeakyReluBackward));
        Span<float> xs = Host(x), gys = Host(gradY), gxs = Host(gradX);
        fixed (float* px = xs, pgy = gys, pgx = gxs)
            RangeJob<LeakyReluGradientOperation>.Run(new(px, pgy, pgx, slope, true, Simd), xs.Length, ActivationChunk, xs.Length, Threads);
    }

    /// <inheritdoc/>
    public unsafe void LeakyReluGradientInPlace(FeatureMatrix y, FeatureMatrix grad, float slope)
    {
        CheckSameShape(y, grad, nameof(LeakyReluGradientInPlace));
        FusedConvolution.CheckFusedSlope(slope);
        Span<float> ys = Host(y), gs = Host(grad);
        fixed (float* py = ys, pg = gs)
            RangeJob<LeakyReluGradientOperation>.Run(new(py, pg, pg, slope, false, Simd), ys.Length, ActivationChunk, ys.Length, Threads);
    }

    /// <summary>y = x &gt; 0 ? x : slope x on [first, end); x and y may be the same buffer.</summary>
    private readonly unsafe struct LeakyReluForwardOperation(float* x, float* y, float slope, SimdLevel simd) : IRangeOperation
    {
        public void Invoke(int first, int end) => Activations.LeakyRelu(x + first, y + first, (nuint)(end - first), slope, simd);
    }

    /// <summary>
    /// gx (+)= x &gt; 0 ? gy : slope gy on [first, end): accumulating (the layer's backward) or assigning with
    /// gx = gy (the in-place mask of a fused activation, x then being its output).
    /// </summary>
    private readonly unsafe struct LeakyReluGradientOperation(float* x, float* gy, float* gx, float slope, bool accumulate, SimdLevel simd)
        : IRangeOperation
    {
        public void Invoke(int first, int end) =>
            Activations.LeakyReluGradient(x + first, gy + first, gx + first, (nuint)(end - first), slope, accumulate, simd);
    }
}
