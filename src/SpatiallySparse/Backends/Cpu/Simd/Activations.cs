using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// Leaky ReLU loops for every <see cref="SimdLevel"/>: the backend's parallel passes and the epilogue of a
/// fused convolution (on the output rows a worker has just finished, while they are in cache).
/// </summary>
internal static class Activations
{
    /// <summary>y = x &gt; 0 ? x : slope x for n values; x and y may be the same memory.</summary>
    public static void LeakyRelu(ref float xr, ref float yr, nuint n, float slope, SimdLevel simd)
    {
        nuint i = 0;
        if (simd == SimdLevel.Vector512)
        {
            Vector512<float> a = Vector512.Create(slope);
            for (; i + 16 <= n; i += 16)
            {
                Vector512<float> v = Vector512.LoadUnsafe(ref xr, i);
                Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero), v, v * a).StoreUnsafe(ref yr, i);
            }
        }
        if (simd >= SimdLevel.Vector256)
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

    /// <summary>gx (+)= x &gt; 0 ? gy : slope gy for n values; gx may be gy when not accumulating.</summary>
    public static void LeakyReluGradient(ref float xr, ref float gy, ref float gx, nuint n, float slope, bool accumulate, SimdLevel simd)
    {
        nuint i = 0;
        if (simd == SimdLevel.Vector512)
        {
            Vector512<float> a = Vector512.Create(slope);
            for (; i + 16 <= n; i += 16)
            {
                Vector512<float> g = Vector512.LoadUnsafe(ref gy, i);
                Vector512<float> d = Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.LoadUnsafe(ref xr, i), Vector512<float>.Zero), g, g * a);
                (accumulate ? Vector512.LoadUnsafe(ref gx, i) + d : d).StoreUnsafe(ref gx, i);
            }
        }
        if (simd >= SimdLevel.Vector256)
        {
            Vector256<float> a = Vector256.Create(slope);
            for (; i + 8 <= n; i += 8)
            {
                Vector256<float> g = Vector256.LoadUnsafe(ref gy, i);
                Vector256<float> d = Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.LoadUnsafe(ref xr, i), Vector256<float>.Zero), g, g * a);
                (accumulate ? Vector256.LoadUnsafe(ref gx, i) + d : d).StoreUnsafe(ref gx, i);
            }
        }
        for (; i < n; i++)
        {
            float g = Unsafe.Add(ref gy, i);
            float d = Unsafe.Add(ref xr, i) > 0 ? g : slope * g;
            Unsafe.Add(ref gx, i) = accumulate ? Unsafe.Add(ref gx, i) + d : d;
        }
    }
}
