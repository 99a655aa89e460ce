using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>TEMPORARY scalar stand-in, replaced by the SIMD kernels.</summary>
internal static class RuleGemm
{
    public static void ScatterAdd(ReadOnlySpan<float> input, int cin, ReadOnlySpan<float> weights, Span<float> output, int cout, RuleBook rules, SimdLevel level, int threads)
    {
        for (int t = 0; t < rules.FilterVolume; t++)
        {
            ReadOnlySpan<int> ins = rules.InputRowsOf(t), outs = rules.OutputRowsOf(t);
            for (int p = 0; p < ins.Length; p++)
                for (int k = 0; k < cin; k++)
                {
                    float a = input[ins[p] * cin + k];
                    for (int n = 0; n < cout; n++)
                        output[outs[p] * cout + n] += a * weights[(t * cin + k) * cout + n];
                }
        }
    }

    public static void WeightGradient(ReadOnlySpan<float> input, int cin, ReadOnlySpan<float> gradOutput, int cout, RuleBook rules, Span<float> gradWeights, SimdLevel level, int threads)
    {
        for (int t = 0; t < rules.FilterVolume; t++)
        {
            ReadOnlySpan<int> ins = rules.InputRowsOf(t), outs = rules.OutputRowsOf(t);
            for (int p = 0; p < ins.Length; p++)
                for (int k = 0; k < cin; k++)
                {
                    float a = input[ins[p] * cin + k];
                    for (int n = 0; n < cout; n++)
                        gradWeights[(t * cin + k) * cout + n] += a * gradOutput[outs[p] * cout + n];
                }
        }
    }

    public static void Gemm(ReadOnlySpan<float> a, int m, int k, ReadOnlySpan<float> b, int n, Span<float> c, SimdLevel level, int threads)
    {
        for (int i = 0; i < m; i++)
            for (int kk = 0; kk < k; kk++)
                for (int j = 0; j < n; j++)
                    c[i * n + j] += a[i * k + kk] * b[kk * n + j];
    }

    public static void GemmTransposedA(ReadOnlySpan<float> a, int m, int k, ReadOnlySpan<float> b, int n, Span<float> c, SimdLevel level, int threads)
    {
        for (int i = 0; i < m; i++)
            for (int kk = 0; kk < k; kk++)
                for (int j = 0; j < n; j++)
                    c[kk * n + j] += a[i * k + kk] * b[i * n + j];
    }
}
