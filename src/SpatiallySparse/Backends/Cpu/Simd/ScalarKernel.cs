using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>Plain loops: the reference implementation and the benchmark baseline.</summary>
internal readonly unsafe struct ScalarKernel : IRuleKernel
{
    public static int PanelWidth => 64;

    public static bool Relayout => false;

    public static SimdLevel Level => SimdLevel.Scalar;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterTap(
        float* input, int cin, float* weights, int weightStride, float* output, int cout,
        ReadOnlySpan<int> inRows, ReadOnlySpan<int> outRows)
    {
        Debug.Assert(inRows.Length == outRows.Length);
        for (int p = 0; p < inRows.Length; p++)
        {
            float* a = input + ((nint)inRows[p] * cin);
            float* c = output + ((nint)outRows[p] * cout);
            for (int k = 0; k < cin; k++)
            {
                float x = a[k];
                float* w = weights + ((nint)k * weightStride);
                for (int j = 0; j < cout; j++)
                {
                    c[j] += x * w[j];
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GradientTap(
        float* input, int cin, float* gradOutput, int gradStride, ReadOnlySpan<int> inRows, ReadOnlySpan<int> outRows,
        float* gradWeights, int cout, int kBegin, int kEnd, int jBegin, int jEnd)
    {
        Debug.Assert(inRows.Length == outRows.Length);
        for (int p = 0; p < inRows.Length; p++)
        {
            float* a = input + ((nint)inRows[p] * cin);
            float* g = gradOutput + ((nint)outRows[p] * gradStride);
            for (int k = kBegin; k < kEnd; k++)
            {
                float x = a[k];
                float* d = gradWeights + ((nint)k * cout);
                for (int j = jBegin; j < jEnd; j++)
                {
                    d[j] += x * g[j];
                }
            }
        }
    }
}
