using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using SpatiallySparse.Backends.Cpu.Simd;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public unsafe void MaxPoolForward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid,
        bool includeGround, FeatureMatrix output)
    {
        CheckPooling(input, inputGround, rules, outputGrid, output);
        fixed (float* x = Host(input), g = Host(inputGround), y = Host(output))
        fixed (int* table = rules.NeighbourTable, offsets = outputGrid.SampleOffsets)
        {
            PoolingOperands p = new(x, g, table, rules.FilterVolume, offsets, input.Columns, includeGround, Simd);
            RangeJob<MaxPoolForwardOperation>.Run(new(p, y), outputGrid.BatchSize, SamplesPerChunk(outputGrid, input.Columns),
                (long)rules.OutputRows * rules.FilterVolume * input.Columns, Threads);
        }
    }

    /// <summary>
    /// What both max-pooling passes read, as raw pointers (pinned by the caller for the whole run). Work is split
    /// by samples: a sample's outputs read and (backward) write only that sample's inputs and ground state, so
    /// chunks of whole samples never touch the same memory.
    /// </summary>
    private readonly unsafe struct PoolingOperands(float* x, float* g, int* table, int taps, int* offsets, int c, bool includeGround, SimdLevel simd)
    {
        public int C => c;

        public SimdLevel Simd => simd;

        public float* X => x;

        public float* Ground => g;

        public int FirstRow(int sample) => offsets[sample];

        public ReadOnlySpan<int> Window(int row) => new(table + ((long)row * taps), taps);

        public int GroundOffset(int sample) => includeGround ? sample * c : -1;
    }

    private readonly unsafe struct MaxPoolForwardOperation(PoolingOperands p, float* y) : IRangeOperation
    {
        public void Invoke(int first, int end)
        {
            for (int b = first; b < end; b++)
                for (int o = p.FirstRow(b); o < p.FirstRow(b + 1); o++)
                    MaxPoolForwardRow(p, p.Window(o), p.GroundOffset(b), y + ((long)o * p.C));
        }
    }

    /// <summary>
    /// One output row: the maximum over the window's active inputs and, for a partial window, the ground state at
    /// <paramref name="groundOffset"/> (-1: none), kept in registers across the window's taps. Vector Max and
    /// Math.Max follow IEEE 754 maximum (NaN wins, +0 &gt; -0), so every level gives the same bits.
    /// </summary>
    private static unsafe void MaxPoolForwardRow(in PoolingOperands p, ReadOnlySpan<int> window, int groundOffset, float* yo)
    {
        int firstTap = -1;
        bool full = true;
        for (int t = 0; t < window.Length; t++)
        {
            if (window[t] < 0)
                full = false;
            else if (firstTap < 0)
                firstTap = t;
        }
        if (firstTap < 0)
            throw new InvalidOperationException("A pooling window has no active input.");
        if (full)
            groundOffset = -1;
        int j = 0;
        if (p.Simd == SimdLevel.Vector512)
            j = MaxPoolForwardBlocks<Lanes512, Vector512<float>>(p, window, firstTap, groundOffset, yo, j);
        if (p.Simd >= SimdLevel.Vector256)
            j = MaxPoolForwardBlocks<Lanes256, Vector256<float>>(p, window, firstTap, groundOffset, yo, j);
        MaxPoolForwardBlocks<Lanes1, float>(p, window, firstTap, groundOffset, yo, j);
    }

    /// <summary>The row's channel blocks of <typeparamref name="TL"/>'s width from column j on; returns where they end.</summary>
    private static unsafe int MaxPoolForwardBlocks<TL, TVec>(in PoolingOperands p, ReadOnlySpan<int> window, int firstTap, int groundOffset, float* yo, int j)
        where TL : struct, ILanes<TVec>
        where TVec : struct
    {
        int c = p.C;
        for (; j + TL.Width <= c; j += TL.Width)
        {
            TVec m = TL.Load(p.X + ((long)window[firstTap] * c) + j);
            for (int t = firstTap + 1; t < window.Length; t++)
                if (window[t] >= 0)
                    m = TL.Max(m, TL.Load(p.X + ((long)window[t] * c) + j));
            if (groundOffset >= 0)
                m = TL.Max(m, TL.Load(p.Ground + groundOffset + j));
            TL.Store(yo + j, m);
        }
        return j;
    }

    /// <inheritdoc/>
    public unsafe void MaxPoolBackward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid,
        bool includeGround, FeatureMatrix output, FeatureMatrix gradOutput, FeatureMatrix gradInput, FeatureMatrix gradInputGround,
        bool overwriteGradInput = false)
    {
        CheckPooling(input, inputGround, rules, outputGrid, output);
        CheckSameShape(output, gradOutput, "Max pooling output gradient");
        CheckSameShape(input, gradInput, "Max pooling input gradient");
        CheckSameShape(inputGround, gradInputGround, "Max pooling ground gradient");
        fixed (float* x = Host(input), g = Host(inputGround), y = Host(output), dy = Host(gradOutput), dx = Host(gradInput), dg = Host(gradInputGround))
        fixed (int* table = rules.NeighbourTable, offsets = outputGrid.SampleOffsets)
        {
            PoolingOperands p = new(x, g, table, rules.FilterVolume, offsets, input.Columns, includeGround, Simd);
            RangeJob<MaxPoolBackwardOperation>.Run(new(p, y, dy, dx, dg, overwriteGradInput), outputGrid.BatchSize, SamplesPerChunk(outputGrid, input.Columns),
                (long)rules.OutputRows * rules.FilterVolume * input.Columns, Threads);
        }
    }

    private readonly unsafe struct MaxPoolBackwardOperation(PoolingOperands p, float* y, float* dy, float* dx, float* dg, bool assign) : IRangeOperation
    {
        public void Invoke(int first, int end)
        {
            int c = p.C;
            for (int b = first; b < end; b++)
            {
                for (int o = p.FirstRow(b); o < p.FirstRow(b + 1); o++)
                {
                    ReadOnlySpan<int> window = p.Window(o);
                    float* yo = y + ((long)o * c), dyo = dy + ((long)o * c);
                    int groundOffset = p.GroundOffset(b), j = 0;
                    if (p.Simd == SimdLevel.Vector512)
                        j = MaxPoolBackwardBlocks<Lanes512, Vector512<float>>(p, window, yo, dyo, dx, dg, groundOffset, assign, j);
                    if (p.Simd >= SimdLevel.Vector256)
                        j = MaxPoolBackwardBlocks<Lanes256, Vector256<float>>(p, window, yo, dyo, dx, dg, groundOffset, assign, j);
                    MaxPoolBackwardBlocks<Lanes1, float>(p, window, yo, dyo, dx, dg, groundOffset, assign, j);
                }
            }
        }
    }

    /// <summary>
    /// One output row's gradient, for the channel blocks of <typeparamref name="TL"/>'s width from column j on, goes
    /// channel by channel to the first input of its window (in tap order) that equals the maximum, else (partial
    /// window) to the ground state at <paramref name="groundOffset"/>, or nowhere when that is -1: a lane mask
    /// tracks the channels still looking for their source, and only routed lanes change. With
    /// <paramref name="assign"/> (every input row in exactly this one window) the window's input rows are written,
    /// not accumulated: the gradient where routed, zero elsewhere.
    /// </summary>
    private static unsafe int MaxPoolBackwardBlocks<TL, TVec>(in PoolingOperands p, ReadOnlySpan<int> window, float* yo, float* dyo, float* dx, float* dg,
        int groundOffset, bool assign, int j)
        where TL : struct, ILanes<TVec>
        where TVec : struct
    {
        int c = p.C;
        for (; j + TL.Width <= c; j += TL.Width)
        {
            TVec target = TL.Load(yo + j), grad = TL.Load(dyo + j), pending = TL.AllBits;
            foreach (int i in window)
            {
                if (i < 0)
                    continue;
                long at = ((long)i * c) + j;
                TVec hit = TL.And(TL.Equal(TL.Load(p.X + at), target), pending);
                TVec d = assign ? TL.Zero : TL.Load(dx + at);
                TL.Store(dx + at, TL.Select(hit, TL.Add(d, grad), d));
                pending = TL.AndNot(pending, hit);
                if (!assign && !TL.Any(pending))
                    break;
            }
            if (groundOffset >= 0)
            {
                float* at = dg + groundOffset + j;
                TVec d = TL.Load(at);
                TL.Store(at, TL.Select(pending, TL.Add(d, grad), d));
            }
        }
        return j;
    }

    /// <inheritdoc/>
    public void AveragePoolForward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid,
        bool includeGround, FeatureMatrix output)
    {
        CheckPooling(input, inputGround, rules, outputGrid, output);
        ReadOnlySpan<int> outputSample = outputGrid.SampleOfRow;
        Span<float> x = Host(input), g = Host(inputGround), y = Host(output);
        ReadOnlySpan<int> table = rules.NeighbourTable;
        int c = input.Columns, taps = rules.FilterVolume;
        float scale = 1f / taps;
        for (int o = 0; o < rules.OutputRows; o++)
        {
            Span<float> yo = y.Slice(o * c, c);
            yo.Clear();
            int missing = 0;
            foreach (int i in table.Slice(o * taps, taps))
                if (i >= 0)
                    TensorPrimitives.Add(yo, x.Slice(i * c, c), yo);
                else
                    missing++;
            if (includeGround && missing > 0)
                TensorPrimitives.MultiplyAdd(g.Slice(outputSample[o] * c, c), missing, yo, yo);
            TensorPrimitives.Multiply(yo, scale, yo);
        }
    }

    /// <inheritdoc/>
    public void AveragePoolBackward(RuleBook rules, SparseGrid outputGrid, bool includeGround, FeatureMatrix gradOutput,
        FeatureMatrix gradInput, FeatureMatrix gradInputGround)
    {
        ReadOnlySpan<int> outputSample = outputGrid.SampleOfRow;
        if (gradOutput.Rows != rules.OutputRows || gradInput.Rows != rules.InputRows || outputSample.Length != rules.OutputRows
            || gradInput.Columns != gradOutput.Columns || gradInputGround.Columns != gradOutput.Columns)
            throw new ArgumentException($"Average pooling backward: shapes do not match {rules}.");
        Span<float> dy = Host(gradOutput), dx = Host(gradInput), dg = Host(gradInputGround);
        ReadOnlySpan<int> table = rules.NeighbourTable;
        int c = gradOutput.Columns, taps = rules.FilterVolume;
        float scale = 1f / taps;
        for (int o = 0; o < rules.OutputRows; o++)
        {
            Span<float> dyo = dy.Slice(o * c, c);
            int missing = 0;
            foreach (int i in table.Slice(o * taps, taps))
                if (i >= 0)
                    TensorPrimitives.MultiplyAdd(dyo, scale, dx.Slice(i * c, c), dx.Slice(i * c, c));
                else
                    missing++;
            if (includeGround && missing > 0)
            {
                Span<float> dgo = dg.Slice(outputSample[o] * c, c);
                TensorPrimitives.MultiplyAdd(dyo, scale * missing, dgo, dgo);
            }
        }
    }

    private static void CheckPooling(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid, FeatureMatrix output)
    {
        if (input.Rows != rules.InputRows || output.Rows != rules.OutputRows || outputGrid.ActiveCount != rules.OutputRows)
            throw new ArgumentException($"Pooling: {rules} does not match {input.Rows} input rows and {output.Rows} output rows.");
        if (input.Columns != output.Columns || inputGround.Columns != input.Columns)
            throw new ArgumentException($"Pooling keeps the channel count: input {input.Columns}, ground {inputGround.Columns}, output {output.Columns}.");
    }
}
