using System.Numerics.Tensors;
using System.Runtime.InteropServices;
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
            PoolingOperands p = new(x, input.Length, g, inputGround.Length, table, rules.FilterVolume, offsets, input.Columns,
                includeGround, Simd);
            RangeJob<MaxPoolForwardOperation>.Run(new(p, y), outputGrid.BatchSize, SamplesPerChunk(outputGrid, input.Columns),
                (long)rules.OutputRows * rules.FilterVolume * input.Columns, Threads);
        }
    }

    /// <summary>
    /// What both max-pooling passes read, as raw pointers (pinned by the caller for the whole run). Work is split
    /// by samples: a sample's outputs read and (backward) write only that sample's inputs and ground state, so
    /// chunks of whole samples never touch the same memory.
    /// </summary>
    private readonly unsafe struct PoolingOperands(float* x, long xLength, float* g, long gLength, int* table, int taps, int* offsets,
        int c, bool includeGround, SimdLevel simd)
    {
        public int C => c;

        public SimdLevel Simd => simd;

        public ReadOnlySpan<float> X => new(x, (int)xLength);

        public ReadOnlySpan<float> Ground => new(g, (int)gLength);

        public int FirstRow(int sample) => offsets[sample];

        public ReadOnlySpan<int> Window(int row) => new(table + ((long)row * taps), taps);

        public int GroundOffset(int sample) => includeGround ? sample * c : -1;
    }

    private readonly unsafe struct MaxPoolForwardOperation(PoolingOperands p, float* y) : IRangeOperation
    {
        public void Invoke(int first, int end)
        {
            int c = p.C;
            for (int b = first; b < end; b++)
                for (int o = p.FirstRow(b); o < p.FirstRow(b + 1); o++)
                    MaxPoolForwardRow(p.X, p.Ground, p.Window(o), c, p.GroundOffset(b), new Span<float>(y + ((long)o * c), c), p.Simd);
        }
    }

    /// <summary>
    /// One output row: the maximum over the window's active inputs and, for a partial window, the ground state at
    /// <paramref name="groundOffset"/> (-1: none), kept in registers across the window's taps. Vector Max and
    /// Math.Max follow IEEE 754 maximum (NaN wins, +0 &gt; -0), so every level gives the same bits; the scalar
    /// level runs only the last loop.
    /// </summary>
    private static void MaxPoolForwardRow(ReadOnlySpan<float> x, ReadOnlySpan<float> g, ReadOnlySpan<int> window, int c, int groundOffset,
        Span<float> yo, SimdLevel simd)
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
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float yr = ref MemoryMarshal.GetReference(yo);
        int j = 0;
        if (simd == SimdLevel.Vector512)
        {
            for (; j + 16 <= c; j += 16)
            {
                Vector512<float> m = Vector512.LoadUnsafe(ref xr, (nuint)(window[firstTap] * c + j));
                for (int t = firstTap + 1; t < window.Length; t++)
                    if (window[t] >= 0)
                        m = Vector512.Max(m, Vector512.LoadUnsafe(ref xr, (nuint)(window[t] * c + j)));
                if (groundOffset >= 0)
                    m = Vector512.Max(m, Vector512.LoadUnsafe(ref gr, (nuint)(groundOffset + j)));
                m.StoreUnsafe(ref yr, (nuint)j);
            }
        }
        if (simd >= SimdLevel.Vector256)
        {
            for (; j + 8 <= c; j += 8)
            {
                Vector256<float> m = Vector256.LoadUnsafe(ref xr, (nuint)(window[firstTap] * c + j));
                for (int t = firstTap + 1; t < window.Length; t++)
                    if (window[t] >= 0)
                        m = Vector256.Max(m, Vector256.LoadUnsafe(ref xr, (nuint)(window[t] * c + j)));
                if (groundOffset >= 0)
                    m = Vector256.Max(m, Vector256.LoadUnsafe(ref gr, (nuint)(groundOffset + j)));
                m.StoreUnsafe(ref yr, (nuint)j);
            }
        }
        for (; j < c; j++)
        {
            float m = x[window[firstTap] * c + j];
            for (int t = firstTap + 1; t < window.Length; t++)
                if (window[t] >= 0)
                    m = Math.Max(m, x[window[t] * c + j]);
            if (groundOffset >= 0)
                m = Math.Max(m, g[groundOffset + j]);
            yo[j] = m;
        }
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
            PoolingOperands p = new(x, input.Length, g, inputGround.Length, table, rules.FilterVolume, offsets, input.Columns,
                includeGround, Simd);
            RangeJob<MaxPoolBackwardOperation>.Run(new(p, y, dy, dx, dg, overwriteGradInput), outputGrid.BatchSize, SamplesPerChunk(outputGrid, input.Columns),
                (long)rules.OutputRows * rules.FilterVolume * input.Columns, Threads);
        }
    }

    private readonly unsafe struct MaxPoolBackwardOperation(PoolingOperands p, float* y, float* dy, float* dx, float* dg, bool assign) : IRangeOperation
    {
        public void Invoke(int first, int end)
        {
            int c = p.C;
            Span<float> gradInput = new(dx, p.X.Length), gradGround = new(dg, p.Ground.Length);
            for (int b = first; b < end; b++)
                for (int o = p.FirstRow(b); o < p.FirstRow(b + 1); o++)
                    MaxPoolBackwardRow(p.X, new ReadOnlySpan<float>(y + ((long)o * c), c), new ReadOnlySpan<float>(dy + ((long)o * c), c),
                        gradInput, gradGround, p.Window(o), c, p.GroundOffset(b), assign, p.Simd);
        }
    }

    /// <summary>
    /// One output row's gradient goes, channel by channel, to the first input of its window (in tap order) that
    /// equals the maximum, else (partial window) to the ground state at <paramref name="groundOffset"/>, or
    /// nowhere when that is -1. The vector paths track the channels still looking for their source in a lane
    /// mask and update only the lanes they route (so every bit matches the scalar path). With
    /// <paramref name="assign"/> (every input row in exactly this one window) the window's input rows are written,
    /// not accumulated: the gradient where routed, zero elsewhere.
    /// </summary>
    private static void MaxPoolBackwardRow(ReadOnlySpan<float> x, ReadOnlySpan<float> yo, ReadOnlySpan<float> dyo, Span<float> dx, Span<float> dg,
        ReadOnlySpan<int> window, int c, int groundOffset, bool assign, SimdLevel simd)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(yo);
        ref float gr = ref MemoryMarshal.GetReference(dyo);
        ref float dxr = ref MemoryMarshal.GetReference(dx);
        ref float dgr = ref MemoryMarshal.GetReference(dg);
        int j = 0;
        if (simd == SimdLevel.Vector512)
        {
            for (; j + 16 <= c; j += 16)
            {
                Vector512<float> target = Vector512.LoadUnsafe(ref yr, (nuint)j), grad = Vector512.LoadUnsafe(ref gr, (nuint)j);
                Vector512<float> pending = Vector512<float>.AllBitsSet;
                foreach (int i in window)
                {
                    if (i < 0)
                        continue;
                    nuint at = (nuint)(i * c + j);
                    Vector512<float> hit = Vector512.Equals(Vector512.LoadUnsafe(ref xr, at), target) & pending;
                    Vector512<float> d = assign ? Vector512<float>.Zero : Vector512.LoadUnsafe(ref dxr, at);
                    Vector512.ConditionalSelect(hit, d + grad, d).StoreUnsafe(ref dxr, at);
                    pending = Vector512.AndNot(pending, hit);
                    if (!assign && pending.ExtractMostSignificantBits() == 0)
                        break;
                }
                if (groundOffset >= 0)
                {
                    nuint at = (nuint)(groundOffset + j);
                    Vector512<float> d = Vector512.LoadUnsafe(ref dgr, at);
                    Vector512.ConditionalSelect(pending, d + grad, d).StoreUnsafe(ref dgr, at);
                }
            }
        }
        if (simd >= SimdLevel.Vector256)
        {
            for (; j + 8 <= c; j += 8)
            {
                Vector256<float> target = Vector256.LoadUnsafe(ref yr, (nuint)j), grad = Vector256.LoadUnsafe(ref gr, (nuint)j);
                Vector256<float> pending = Vector256<float>.AllBitsSet;
                foreach (int i in window)
                {
                    if (i < 0)
                        continue;
                    nuint at = (nuint)(i * c + j);
                    Vector256<float> hit = Vector256.Equals(Vector256.LoadUnsafe(ref xr, at), target) & pending;
                    Vector256<float> d = assign ? Vector256<float>.Zero : Vector256.LoadUnsafe(ref dxr, at);
                    Vector256.ConditionalSelect(hit, d + grad, d).StoreUnsafe(ref dxr, at);
                    pending = Vector256.AndNot(pending, hit);
                    if (!assign && pending.ExtractMostSignificantBits() == 0)
                        break;
                }
                if (groundOffset >= 0)
                {
                    nuint at = (nuint)(groundOffset + j);
                    Vector256<float> d = Vector256.LoadUnsafe(ref dgr, at);
                    Vector256.ConditionalSelect(pending, d + grad, d).StoreUnsafe(ref dgr, at);
                }
            }
        }
        for (; j < c; j++)
        {
            float target = yo[j];
            int source = -1;
            foreach (int i in window)
                if (i >= 0 && x[i * c + j] == target)
                {
                    source = i;
                    break;
                }
            if (assign)
                foreach (int i in window)
                    if (i >= 0)
                        dx[i * c + j] = 0f;
            if (source >= 0)
                dx[source * c + j] += dyo[j];
            else if (groundOffset >= 0)
                dg[groundOffset + j] += dyo[j];
        }
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
