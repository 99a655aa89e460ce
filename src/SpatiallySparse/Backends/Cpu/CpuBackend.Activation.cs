using SpatiallySparse.Backends.Cpu.Simd;
using System.Runtime.Intrinsics;

namespace SpatiallySparse.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void LeakyReluForward(FeatureMatrix x, FeatureMatrix y, float slope)
    {
        CheckSameShape(x, y, nameof(LeakyReluForward));
        Span<float> xs = Host(x), ys = Host(y);
        int i = 0;
        if (Simd != SimdLevel.Scalar && Vector256.IsHardwareAccelerated)
        {
            Vector256<float> a = Vector256.Create(slope);
            for (; i <= xs.Length - 8; i += 8)
            {
                Vector256<float> v = Vector256.Create(xs.Slice(i, 8));
                Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.Zero), v, v * a).CopyTo(ys.Slice(i, 8));
            }
        }
        for (; i < xs.Length; i++)
            ys[i] = xs[i] > 0 ? xs[i] : slope * xs[i];
    }

    /// <inheritdoc/>
    public void LeakyReluBackward(FeatureMatrix x, FeatureMatrix gradY, FeatureMatrix gradX, float slope)
    {
        CheckSameShape(x, gradY, nameof(LeakyReluBackward));
        CheckSameShape(x, gradX, nameof(LeakyReluBackward));
        Span<float> xs = Host(x), gy = Host(gradY), gx = Host(gradX);
        int i = 0;
        if (Simd != SimdLevel.Scalar && Vector256.IsHardwareAccelerated)
        {
            Vector256<float> a = Vector256.Create(slope);
            for (; i <= xs.Length - 8; i += 8)
            {
                Vector256<float> v = Vector256.Create(xs.Slice(i, 8));
                Vector256<float> g = Vector256.Create(gy.Slice(i, 8));
                Vector256<float> d = Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.Zero), g, g * a);
                (Vector256.Create(gx.Slice(i, 8)) + d).CopyTo(gx.Slice(i, 8));
            }
        }
        for (; i < xs.Length; i++)
            gx[i] += xs[i] > 0 ? gy[i] : slope * gy[i];
    }
}
