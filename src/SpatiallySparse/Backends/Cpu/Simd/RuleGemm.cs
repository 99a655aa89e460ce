using System;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// Rulebook-driven matrix products of sparse convolution, plus the dense GEMMs of linear layers, for every
/// <see cref="SimdLevel"/>. <c>threads</c> (at least 1) caps the workers; small problems stay on the calling
/// thread. Results are bit-identical for any <c>threads</c> at a given level; levels differ by rounding only
/// (the vector paths fuse multiply-adds). For few input channels the vector paths gather absent taps as zeros
/// (im2col): the extra 0*w terms change nothing, except that a non-finite weight (scatter) or gradient value
/// (weight gradient) then also reaches rows that lack that tap, and a -0 result may come out as +0.
/// Destinations must not overlap operands. No allocation in steady state apart from Parallel.For's own.
/// </summary>
internal static unsafe class RuleGemm
{
    /// <summary>
    /// For every tap t and pair p of <paramref name="rules"/>: <c>output[out_p, :] += input[in_p, :] · W_t</c>,
    /// W_t being the t-th cin x cout block of <paramref name="weights"/>. Forward convolution; backward-to-input
    /// is the same call with dOut, per-tap transposed weights (taps x cout x cin) and <c>rules.Transposed</c>.
    /// <paramref name="rows"/> may start the output rows afresh and end them with an activation (fused, per chunk).
    /// </summary>
    public static void ScatterAdd(
        ReadOnlySpan<float> input, int cin, ReadOnlySpan<float> weights, Span<float> output, int cout,
        RuleBook rules, SimdLevel level, int threads, ScatterRows rows = default)
    {
        ArgumentNullException.ThrowIfNull(rules);
        CheckCommon(cin, cout, level, threads);
        CheckLength(input.Length, rules.InputRows, cin, nameof(input));
        CheckLength(weights.Length, (long)rules.FilterVolume * cin, cout, nameof(weights));
        CheckLength(output.Length, rules.OutputRows, cout, nameof(output));
        CheckDisjoint(output, input, nameof(input));
        CheckDisjoint(output, weights, nameof(weights));
        Scatter(input, cin, weights, output, cout, PairSource.From(rules), level, threads, rows);
    }

    /// <summary>
    /// For every tap t: <c>gradWeights_t += sum_p input[in_p, :]^T ⊗ gradOutput[out_p, :]</c> (accumulates,
    /// never assigns). <paramref name="gradWeights"/> has the layout of the weights: taps x cin x cout.
    /// </summary>
    public static void WeightGradient(
        ReadOnlySpan<float> input, int cin, ReadOnlySpan<float> gradOutput, int cout,
        RuleBook rules, Span<float> gradWeights, SimdLevel level, int threads)
    {
        ArgumentNullException.ThrowIfNull(rules);
        CheckCommon(cin, cout, level, threads);
        CheckLength(input.Length, rules.InputRows, cin, nameof(input));
        CheckLength(gradOutput.Length, rules.OutputRows, cout, nameof(gradOutput));
        CheckLength(gradWeights.Length, (long)rules.FilterVolume * cin, cout, nameof(gradWeights));
        CheckDisjoint(gradWeights, input, nameof(input));
        CheckDisjoint(gradWeights, gradOutput, nameof(gradOutput));
        Gradient(input, cin, gradOutput, cout, PairSource.From(rules), gradWeights, level, threads);
    }

    /// <summary>C (m x n) += A (m x k) · B (k x n), all row-major.</summary>
    public static void Gemm(
        ReadOnlySpan<float> a, int m, int k, ReadOnlySpan<float> b, int n, Span<float> c, SimdLevel level, int threads)
    {
        CheckDimensions(m, k, n, level, threads);
        CheckLength(a.Length, m, k, nameof(a));
        CheckLength(b.Length, k, n, nameof(b));
        CheckLength(c.Length, m, n, nameof(c));
        CheckDisjoint(c, a, nameof(a));
        CheckDisjoint(c, b, nameof(b));
        if (m > 0 && k > 0 && n > 0)
        {
            Scatter(a, k, b, c, n, PairSource.Identity(m), level, threads);
        }
    }

    /// <summary>C (k x n) += A (m x k)^T · B (m x n), all row-major (the weight gradient of a linear layer).</summary>
    public static void GemmTransposedA(
        ReadOnlySpan<float> a, int m, int k, ReadOnlySpan<float> b, int n, Span<float> c, SimdLevel level, int threads)
    {
        CheckDimensions(m, k, n, level, threads);
        CheckLength(a.Length, m, k, nameof(a));
        CheckLength(b.Length, m, n, nameof(b));
        CheckLength(c.Length, k, n, nameof(c));
        CheckDisjoint(c, a, nameof(a));
        CheckDisjoint(c, b, nameof(b));
        if (m > 0 && k > 0 && n > 0)
        {
            Gradient(a, k, b, n, PairSource.Identity(m), c, level, threads);
        }
    }

    private static void Scatter(
        ReadOnlySpan<float> input, int cin, ReadOnlySpan<float> weights, Span<float> output, int cout,
        PairSource pairs, SimdLevel level, int threads, ScatterRows rows = default)
    {
        if (pairs.PairCount == 0)
        {
            if (rows.TouchesRows && !output.IsEmpty)
            {
                fixed (float* pOut = output)
                {
                    rows.Start(pOut, cout, 0, pairs.OutputRows);
                    rows.Finish(pOut, cout, 0, pairs.OutputRows, level);
                }
            }

            return;
        }

        // The spans stay pinned for the whole (synchronous) parallel run, so the workers' raw pointers are valid.
        fixed (float* pIn = input, pW = weights, pOut = output)
        {
            switch (level)
            {
                case SimdLevel.Vector512: ScatterJob<Vector512Kernel>.Run(pIn, cin, pW, pOut, cout, pairs, threads, rows); break;
                case SimdLevel.Vector256: ScatterJob<Vector256Kernel>.Run(pIn, cin, pW, pOut, cout, pairs, threads, rows); break;
                default: ScatterJob<ScalarKernel>.Run(pIn, cin, pW, pOut, cout, pairs, threads, rows); break;
            }
        }
    }

    private static void Gradient(
        ReadOnlySpan<float> input, int cin, ReadOnlySpan<float> gradOutput, int cout,
        PairSource pairs, Span<float> gradWeights, SimdLevel level, int threads)
    {
        if (pairs.PairCount == 0)
        {
            return;
        }

        fixed (float* pIn = input, pG = gradOutput, pDw = gradWeights)
        {
            switch (level)
            {
                case SimdLevel.Vector512: GradientJob<Vector512Kernel>.Run(pIn, cin, pG, cout, pairs, pDw, threads); break;
                case SimdLevel.Vector256: GradientJob<Vector256Kernel>.Run(pIn, cin, pG, cout, pairs, pDw, threads); break;
                default: GradientJob<ScalarKernel>.Run(pIn, cin, pG, cout, pairs, pDw, threads); break;
            }
        }
    }

    private static void CheckCommon(int cin, int cout, SimdLevel level, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cin);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cout);
        CheckLevelAndThreads(level, threads);
    }

    private static void CheckDimensions(int m, int k, int n, SimdLevel level, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        CheckLevelAndThreads(level, threads);
    }

    private static void CheckLevelAndThreads(SimdLevel level, int threads)
    {
        if (!SimdLevels.IsSupported(level))
        {
            throw new ArgumentException($"SIMD level {level} is not supported on this machine (best: {SimdLevels.Best}).", nameof(level));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
    }

    private static void CheckLength(int length, long rows, long columns, string name)
    {
        if (length != rows * columns)
        {
            throw new ArgumentException($"Expected {rows} x {columns} = {rows * columns} elements, got {length}.", name);
        }
    }

    /// <summary>The kernels read operands while writing the destination, so they must not share memory.</summary>
    private static void CheckDisjoint(ReadOnlySpan<float> destination, ReadOnlySpan<float> operand, string name)
    {
        if (destination.Overlaps(operand))
        {
            throw new ArgumentException("The destination overlaps this operand.", name);
        }
    }
}
