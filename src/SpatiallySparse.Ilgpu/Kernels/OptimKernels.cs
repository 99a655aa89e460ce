using System.Diagnostics.CodeAnalysis;
using ILGPU;
using ILGPU.Algorithms;

namespace SpatiallySparse.Ilgpu.Kernels;

/// <summary>The Adam step and the sum of squares behind gradient clipping.</summary>
[ExcludeFromCodeCoverage(Justification = "Coverage instrumentation breaks ILGPU kernel compilation.")]
internal static class OptimKernels
{
    /// <summary>One thread per element: the CPU backend's AdamUpdate, operation for operation (no fused multiply-add).</summary>
    public static void AdamStep(Index1D i, ArrayView<float> value, ArrayView<float> grad, ArrayView<float> m, ArrayView<float> v, AdamKernelConstants c)
    {
        float w = value[i];
        float g = grad[i] + c.L2 * w;
        w *= c.Keep;
        float mi = c.Beta1 * m[i] + c.OneMinusBeta1 * g;
        float vi = c.Beta2 * v[i] + c.OneMinusBeta2 * (g * g);
        m[i] = mi;
        v[i] = vi;
        value[i] = w - c.StepSize * (mi / (XMath.Sqrt(vi) / c.SqrtBias2 + c.Epsilon));
    }

    /// <summary>One thread per chunk of <paramref name="chunk"/> elements: its sum of squares in double.</summary>
    public static void SumOfSquares(Index1D chunkIndex, ArrayView<float> x, ArrayView<double> partial, int chunk)
    {
        long start = (long)(int)chunkIndex * chunk;
        long end = XMath.Min(start + chunk, x.Length);
        double sum = 0;
        for (long j = start; j < end; j++)
            sum += (double)x[j] * x[j];
        partial[chunkIndex] = sum;
    }
}

/// <summary>The per-step scalars of an Adam update (see the core's AdamConstants), passed as one kernel argument.</summary>
internal readonly record struct AdamKernelConstants(float Keep, float L2, float Beta1, float Beta2, float OneMinusBeta1,
    float OneMinusBeta2, float StepSize, float SqrtBias2, float Epsilon);
