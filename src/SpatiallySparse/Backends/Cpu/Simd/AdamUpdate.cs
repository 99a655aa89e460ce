using System.Runtime.Intrinsics;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// The Adam / AdamW element update for every <see cref="SimdLevel"/>, written once over <see cref="ILanes{TVec}"/>.
/// Separate multiplies and adds (never fused) and correctly rounded square roots and divisions, so every level
/// gives the scalar loop's bits.
/// </summary>
internal static unsafe class AdamUpdate
{
    /// <summary>Updates n values, their gradients' first moments m and second moments v in place.</summary>
    public static void Run(float* w, float* g, float* m, float* v, nuint n, in AdamConstants c, SimdLevel simd)
    {
        nuint i = 0;
        if (simd == SimdLevel.Vector512)
            i = Run<Lanes512, Vector512<float>>(w, g, m, v, i, n, c);
        if (simd >= SimdLevel.Vector256)
            i = Run<Lanes256, Vector256<float>>(w, g, m, v, i, n, c);
        Run<Lanes1, float>(w, g, m, v, i, n, c);
    }

    /// <summary>The whole blocks of <typeparamref name="TL"/> from value i on; returns where they end.</summary>
    private static nuint Run<TL, TVec>(float* w, float* g, float* m, float* v, nuint i, nuint n, in AdamConstants c)
        where TL : struct, ILanes<TVec>
        where TVec : struct
    {
        TVec keep = TL.Broadcast(c.Keep), l2 = TL.Broadcast(c.L2), beta1 = TL.Broadcast(c.Beta1), beta2 = TL.Broadcast(c.Beta2);
        TVec rest1 = TL.Broadcast(c.OneMinusBeta1), rest2 = TL.Broadcast(c.OneMinusBeta2);
        TVec step = TL.Broadcast(c.StepSize), root2 = TL.Broadcast(c.SqrtBias2), eps = TL.Broadcast(c.Epsilon);
        for (; i + (nuint)TL.Width <= n; i += (nuint)TL.Width)
        {
            TVec wi = TL.Load(w + i);
            // keep is 1 and l2 0 unless the decay is decoupled, and the other way round: one loop for both.
            TVec gi = TL.Add(TL.Load(g + i), TL.Multiply(l2, wi));
            wi = TL.Multiply(wi, keep);
            TVec mi = TL.Add(TL.Multiply(beta1, TL.Load(m + i)), TL.Multiply(rest1, gi));
            TVec vi = TL.Add(TL.Multiply(beta2, TL.Load(v + i)), TL.Multiply(rest2, TL.Multiply(gi, gi)));
            TVec denominator = TL.Add(TL.Divide(TL.Sqrt(vi), root2), eps);
            TL.Store(m + i, mi);
            TL.Store(v + i, vi);
            TL.Store(w + i, TL.Subtract(wi, TL.Multiply(step, TL.Divide(mi, denominator))));
        }
        return i;
    }
}

/// <summary>
/// The per-step scalars of an Adam update, derived once on the host (in double, then rounded) so every backend
/// feeds its loop the same constants.
/// </summary>
internal readonly record struct AdamConstants(float Keep, float L2, float Beta1, float Beta2, float OneMinusBeta1,
    float OneMinusBeta2, float StepSize, float SqrtBias2, float Epsilon)
{
    /// <summary>Validates the arguments of an AdamStep and derives the constants.</summary>
    public static AdamConstants Create(float learningRate, float beta1, float beta2, float epsilon, float weightDecay,
        bool decoupled, float bias1, float bias2)
    {
        if (!(bias1 > 0f && bias1 <= 1f))
            throw new ArgumentOutOfRangeException(nameof(bias1), $"Bias correction 1 - beta1^t must be in (0, 1], got {bias1}.");
        if (!(bias2 > 0f && bias2 <= 1f))
            throw new ArgumentOutOfRangeException(nameof(bias2), $"Bias correction 1 - beta2^t must be in (0, 1], got {bias2}.");
        float keep = decoupled ? (float)(1.0 - (double)learningRate * weightDecay) : 1f;
        return new AdamConstants(keep, decoupled ? 0f : weightDecay, beta1, beta2, 1f - beta1, 1f - beta2,
            (float)(learningRate / (double)bias1), (float)Math.Sqrt(bias2), epsilon);
    }
}
