using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SpatiallySparse.Backends.Cpu.Simd;

namespace SpatiallySparse.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void LeakyReluForward(FeatureMatrix x, FeatureMatrix y, float slope)
    {
        CheckSameShape(x, y, nameof(LeakyReluForward));
        Span<float> xs = Host(x), ys = Host(y);
        ref float xr = ref MemoryMarshal.GetReference(xs);
        ref float yr = ref MemoryMarshal.GetReference(ys);
        nuint n = (nuint)xs.Length, i = 0;
        if (Simd == SimdLevel.Vector512)
        {
            Vector512<float> a = Vector512.Create(slope);
            for (; i + 16 <= n; i += 16)
            {
                Vector512<float> v = Vector512.LoadUnsafe(ref xr, i);
                Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero), v, v * a).StoreUnsafe(ref yr, i);
            }
        }
        if (Simd >= SimdLevel.Vector256)
        {
            Vector256<float> a = Vector256.Create(slope);
            for (; i + 8 <= n; i += 8)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref xr, i);
                Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.Zero), v, v * a).StoreUnsafe(ref yr, i);
            }
        }
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref xr, i);
            Unsafe.Add(ref yr, i) = v > 0 ? v : slope * v;
        }
    }

    /// <inheritdoc/>
    public void LeakyReluBackward(FeatureMatrix x, FeatureMatrix gradY, FeatureMatrix gradX, float slope)
    {
        CheckSameShape(x, gradY, nameof(LeakyReluBackward));
        CheckSameShape(x, gradX, nameof(LeakyReluBackward));
        Span<float> xs = Host(x), gys = Host(gradY), gxs = Host(gradX);
        ref float xr = ref MemoryMarshal.GetReference(xs);
        ref float gy = ref MemoryMarshal.GetReference(gys);
        ref float gx = ref MemoryMarshal.GetReference(gxs);
        nuint n = (nuint)xs.Length, i = 0;
        if (Simd == SimdLevel.Vector512)
        {
            Vector512<float> a = Vector512.Create(slope);
            for (; i + 16 <= n; i += 16)
            {
                Vector512<float> g = Vector512.LoadUnsafe(ref gy, i);
                Vector512<float> d = Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.LoadUnsafe(ref xr, i), Vector512<float>.Zero), g, g * a);
                (Vector512.LoadUnsafe(ref gx, i) + d).StoreUnsafe(ref gx, i);
            }
        }
        if (Simd >= SimdLevel.Vector256)
        {
            Vector256<float> a = Vector256.Create(slope);
            for (; i + 8 <= n; i += 8)
            {
                Vector256<float> g = Vector256.LoadUnsafe(ref gy, i);
                Vector256<float> d = Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.LoadUnsafe(ref xr, i), Vector256<float>.Zero), g, g * a);
                (Vector256.LoadUnsafe(ref gx, i) + d).StoreUnsafe(ref gx, i);
            }
        }
        for (; i < n; i++)
        {
            float g = Unsafe.Add(ref gy, i);
            Unsafe.Add(ref gx, i) += Unsafe.Add(ref xr, i) > 0 ? g : slope * g;
        }
    }
}
