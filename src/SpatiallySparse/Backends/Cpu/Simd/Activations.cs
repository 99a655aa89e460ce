using System.Runtime.Intrinsics;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// Leaky ReLU loops for every <see cref="SimdLevel"/>, written once over <see cref="ILanes{TVec}"/>: the
/// backend's parallel passes and the epilogue of a fused convolution (on the output rows a worker has just
/// finished, while they are in cache). Each level takes the blocks it can, the next narrower one the rest.
/// </summary>
internal static unsafe class Activations
{
    /// <summary>y = x &gt; 0 ? x : slope x for n values; x and y may be the same memory.</summary>
    public static void LeakyRelu(float* x, float* y, nuint n, float slope, SimdLevel simd)
    {
        nuint i = 0;
        if (simd == SimdLevel.Vector512)
            i = LeakyRelu<Lanes512, Vector512<float>>(x, y, i, n, slope);
        if (simd >= SimdLevel.Vector256)
            i = LeakyRelu<Lanes256, Vector256<float>>(x, y, i, n, slope);
        LeakyRelu<Lanes1, float>(x, y, i, n, slope);
    }

    /// <summary>gx (+)= x &gt; 0 ? gy : slope gy for n values; gx may be gy when not accumulating.</summary>
    public static void LeakyReluGradient(float* x, float* gy, float* gx, nuint n, float slope, bool accumulate, SimdLevel simd)
    {
        nuint i = 0;
        if (simd == SimdLevel.Vector512)
            i = LeakyReluGradient<Lanes512, Vector512<float>>(x, gy, gx, i, n, slope, accumulate);
        if (simd >= SimdLevel.Vector256)
            i = LeakyReluGradient<Lanes256, Vector256<float>>(x, gy, gx, i, n, slope, accumulate);
        LeakyReluGradient<Lanes1, float>(x, gy, gx, i, n, slope, accumulate);
    }

    /// <summary>The whole blocks of <typeparamref name="TL"/> from value i on; returns where they end.</summary>
    private static nuint LeakyRelu<TL, TVec>(float* x, float* y, nuint i, nuint n, float slope)
        where TL : struct, ILanes<TVec>
        where TVec : struct
    {
        TVec a = TL.Broadcast(slope);
        for (; i + (nuint)TL.Width <= n; i += (nuint)TL.Width)
            TL.Store(y + i, TL.LeakyRelu(TL.Load(x + i), a));
        return i;
    }

    private static nuint LeakyReluGradient<TL, TVec>(float* x, float* gy, float* gx, nuint i, nuint n, float slope, bool accumulate)
        where TL : struct, ILanes<TVec>
        where TVec : struct
    {
        TVec a = TL.Broadcast(slope);
        for (; i + (nuint)TL.Width <= n; i += (nuint)TL.Width)
        {
            TVec d = TL.LeakyReluGradient(TL.Load(x + i), TL.Load(gy + i), a);
            TL.Store(gx + i, accumulate ? TL.Add(TL.Load(gx + i), d) : d);
        }
        return i;
    }
}
