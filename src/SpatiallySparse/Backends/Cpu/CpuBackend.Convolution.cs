using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;
using SpatiallySparse.Backends.Cpu.Simd;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void ConvolutionForward(FeatureMatrix input, FeatureMatrix weights, RuleBook rules, FeatureMatrix output)
    {
        int cin = input.Columns, cout = output.Columns;
        CheckConvolution(input, weights, rules, output);
        RuleGemm.ScatterAdd(Host(input), cin, Host(weights), Host(output), cout, rules, Simd, Threads, ScatterRows.Accumulate());
    }

    /// <inheritdoc/>
    public unsafe void ConvolutionForwardFrom(FeatureMatrix? perSampleBase, SparseGrid outputGrid, FeatureMatrix input, FeatureMatrix weights,
        RuleBook rules, FeatureMatrix output, float? leakySlope = null)
    {
        CheckConvolution(input, weights, rules, output);
        FusedConvolution.CheckForwardFrom(perSampleBase, outputGrid, output);
        if (leakySlope is float slope)
            FusedConvolution.CheckFusedSlope(slope);
        fixed (float* start = perSampleBase is null ? [] : Host(perSampleBase))
        fixed (int* sampleOfRow = outputGrid.SampleOfRow)
            RuleGemm.ScatterAdd(Host(input), input.Columns, Host(weights), Host(output), output.Columns, rules, Simd, Threads,
                ScatterRows.StartFrom(start, sampleOfRow, leakySlope));
    }

    /// <inheritdoc/>
    public void ConvolutionBackward(FeatureMatrix input, FeatureMatrix gradOutput, FeatureMatrix weights, RuleBook rules,
        FeatureMatrix? gradInput, FeatureMatrix gradWeights, bool overwriteGradInput = false)
    {
        int cin = input.Columns, cout = gradOutput.Columns, taps = rules.FilterVolume;
        CheckConvolution(input, weights, rules, gradOutput);
        CheckSameShape(weights, gradWeights, "Convolution weight gradient");
        RuleGemm.WeightGradient(Host(input), cin, Host(gradOutput), cout, rules, Host(gradWeights), Simd, Threads);
        if (gradInput is null)
            return;
        CheckSameShape(input, gradInput, "Convolution input gradient");
        // Backward to the input is the forward kernel on the transposed rulebook with W_t^T (cout x cin).
        float[] transposed = ArrayPool<float>.Shared.Rent(taps * cin * cout);
        try
        {
            Span<float> wt = transposed.AsSpan(0, taps * cin * cout);
            Span<float> w = Host(weights);
            for (int t = 0; t < taps; t++)
                Transpose(w.Slice(t * cin * cout, cin * cout), cin, cout, wt.Slice(t * cin * cout, cin * cout));
            RuleGemm.ScatterAdd(Host(gradOutput), cout, wt, Host(gradInput), cin, rules.Transposed, Simd, Threads,
                overwriteGradInput ? ScatterRows.StartFromZero() : ScatterRows.Accumulate());
        }
        finally
        {
            ArrayPool<float>.Shared.Return(transposed);
        }
    }

    /// <inheritdoc/>
    public void SumTaps(FeatureMatrix weights, FeatureMatrix destination)
    {
        int block = destination.Rows * destination.Columns;
        if (block == 0 || weights.Columns != destination.Columns || weights.Rows % destination.Rows != 0)
            throw new ArgumentException($"{nameof(SumTaps)}: weights {weights.Rows} x {weights.Columns} are not a stack of {destination.Rows} x {destination.Columns} taps.");
        Span<float> w = Host(weights), d = Host(destination);
        d.Clear();
        for (int t = 0; t < weights.Rows / destination.Rows; t++)
            TensorPrimitives.Add(d, w.Slice(t * block, block), d);
    }

    /// <inheritdoc/>
    public void BroadcastTapsAdd(FeatureMatrix source, FeatureMatrix gradWeights)
    {
        int block = source.Rows * source.Columns;
        if (block == 0 || gradWeights.Columns != source.Columns || gradWeights.Rows % source.Rows != 0)
            throw new ArgumentException($"{nameof(BroadcastTapsAdd)}: {gradWeights.Rows} x {gradWeights.Columns} is not a stack of {source.Rows} x {source.Columns} taps.");
        Span<float> s = Host(source), g = Host(gradWeights);
        for (int t = 0; t < gradWeights.Rows / source.Rows; t++)
            TensorPrimitives.Add(g.Slice(t * block, block), s, g.Slice(t * block, block));
    }

    /// <inheritdoc/>
    public void MatMulAdd(FeatureMatrix a, bool transposeA, FeatureMatrix b, bool transposeB, FeatureMatrix c)
    {
        int m = transposeA ? a.Columns : a.Rows, k = transposeA ? a.Rows : a.Columns;
        int kb = transposeB ? b.Columns : b.Rows, n = transposeB ? b.Rows : b.Columns;
        if (k != kb || c.Rows != m || c.Columns != n)
            throw new ArgumentException($"{nameof(MatMulAdd)}: cannot multiply {m} x {k} by {kb} x {n} into {c.Rows} x {c.Columns}.");
        float[]? bt = null;
        try
        {
            ReadOnlySpan<float> bs = Host(b);
            if (transposeB)
            {
                bt = ArrayPool<float>.Shared.Rent(k * n);
                Transpose(Host(b), b.Rows, b.Columns, bt.AsSpan(0, k * n));
                bs = bt.AsSpan(0, k * n);
            }
            if (transposeA)
                RuleGemm.GemmTransposedA(Host(a), a.Rows, a.Columns, bs, n, Host(c), Simd, Threads);
            else
                RuleGemm.Gemm(Host(a), m, k, bs, n, Host(c), Simd, Threads);
        }
        finally
        {
            if (bt is not null)
                ArrayPool<float>.Shared.Return(bt);
        }
    }

    /// <summary>
    /// destination (columns x rows) = source^T, in 16 x 16 tiles: a row-by-row loop writes every element to a
    /// different cache line, which for a 300 x 360 tap misses all the way to memory.
    /// </summary>
    internal static void Transpose(ReadOnlySpan<float> source, int rows, int columns, Span<float> destination)
    {
        const int Tile = 16;
        if (source.Length < rows * columns || destination.Length < rows * columns)
            throw new ArgumentException($"{nameof(Transpose)}: spans shorter than {rows} x {columns}.");
        ref float s = ref MemoryMarshal.GetReference(source);
        ref float d = ref MemoryMarshal.GetReference(destination);
        for (int r0 = 0; r0 < rows; r0 += Tile)
        {
            int r1 = Math.Min(r0 + Tile, rows);
            for (int c0 = 0; c0 < columns; c0 += Tile)
            {
                int c1 = Math.Min(c0 + Tile, columns);
                for (int r = r0; r < r1; r++)
                    for (int c = c0; c < c1; c++)
                        Unsafe.Add(ref d, (nint)c * rows + r) = Unsafe.Add(ref s, (nint)r * columns + c);
            }
        }
    }

    private static void CheckConvolution(FeatureMatrix input, FeatureMatrix weights, RuleBook rules, FeatureMatrix output)
    {
        if (input.Rows != rules.InputRows || output.Rows != rules.OutputRows)
            throw new ArgumentException($"Convolution: {rules} does not match {input.Rows} input rows and {output.Rows} output rows.");
        CheckShape(weights, rules.FilterVolume * input.Columns, output.Columns, "Convolution weights");
    }
}
