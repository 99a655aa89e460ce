using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SpatiallySparse.Backends.Cpu.Simd;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Fill(FeatureMatrix matrix, float value) => Fill(Host(matrix), value);

    /// <summary>Fills host memory on the worker pool: zeroing fresh gradient buffers is a memory-bound pass per layer.</summary>
    internal unsafe void Fill(Span<float> values, float value)
    {
        fixed (float* p = values)
            RangeJob<FillOperation>.Run(new(p, value), values.Length, ActivationChunk, values.Length, Threads);
    }

    private readonly unsafe struct FillOperation(float* d, float value) : IRangeOperation
    {
        public void Invoke(int first, int end) => new Span<float>(d + first, end - first).Fill(value);
    }

    /// <inheritdoc/>
    public unsafe void Copy(FeatureMatrix source, FeatureMatrix destination)
    {
        CheckSameShape(source, destination, nameof(Copy));
        Span<float> s = Host(source), d = Host(destination);
        fixed (float* ps = s, pd = d)
            RangeJob<AddOperation>.Run(new(ps, pd, 1f, copy: true), s.Length, ActivationChunk, s.Length, Threads);
    }

    /// <inheritdoc/>
    public unsafe void Add(FeatureMatrix source, FeatureMatrix destination, float alpha = 1f)
    {
        CheckSameShape(source, destination, nameof(Add));
        Span<float> s = Host(source), d = Host(destination);
        fixed (float* ps = s, pd = d)
            RangeJob<AddOperation>.Run(new(ps, pd, alpha, copy: false), s.Length, ActivationChunk, s.Length, Threads);
    }

    /// <summary>d += alpha s on [first, end), or d = s (a copy).</summary>
    private readonly unsafe struct AddOperation(float* s, float* d, float alpha, bool copy) : IRangeOperation
    {
        public void Invoke(int first, int end)
        {
            ReadOnlySpan<float> source = new(s + first, end - first);
            Span<float> destination = new(d + first, end - first);
            if (copy)
                source.CopyTo(destination);
            else if (alpha == 1f)
                TensorPrimitives.Add(destination, source, destination);
            else
                TensorPrimitives.MultiplyAdd(source, alpha, destination, destination);
        }
    }

    /// <inheritdoc/>
    public void Scale(FeatureMatrix matrix, float alpha)
    {
        Span<float> m = Host(matrix);
        TensorPrimitives.Multiply(m, alpha, m);
    }

    /// <inheritdoc/>
    public void Multiply(FeatureMatrix a, FeatureMatrix b, FeatureMatrix destination, bool accumulate)
    {
        CheckSameShape(a, destination, nameof(Multiply));
        bool broadcast = b.Rows == 1 && a.Rows != 1;
        if (!broadcast)
            CheckSameShape(a, b, nameof(Multiply));
        else if (b.Columns != a.Columns)
            throw new ArgumentException($"{nameof(Multiply)}: a row of {b.Columns} columns cannot scale {a.Columns} columns.");
        Span<float> x = Host(a), y = Host(b), d = Host(destination);
        int c = a.Columns;
        for (int r = 0; r < a.Rows; r++)
        {
            Span<float> xr = x.Slice(r * c, c), dr = d.Slice(r * c, c);
            Span<float> yr = broadcast ? y : y.Slice(r * c, c);
            if (accumulate)
                TensorPrimitives.MultiplyAdd(xr, yr, dr, dr);
            else
                TensorPrimitives.Multiply(xr, yr, dr);
        }
    }

    /// <inheritdoc/>
    public void AddRowVector(FeatureMatrix row, FeatureMatrix destination)
    {
        CheckShape(row, 1, destination.Columns, nameof(AddRowVector));
        AddBySample(Host(row), [0, destination.Rows], Host(destination), destination.Columns, 1f, 0, 1, Simd);
    }

    /// <inheritdoc/>
    public void SumRows(FeatureMatrix source, FeatureMatrix rowDestination, float alpha = 1f)
    {
        CheckShape(rowDestination, 1, source.Columns, nameof(SumRows));
        SumBySample(Host(source), [0, source.Rows], Host(rowDestination), source.Columns, alpha, 0, 1, Simd);
    }

    /// <inheritdoc/>
    public unsafe void AddBySample(FeatureMatrix perSample, SparseGrid grid, FeatureMatrix destination, float alpha = 1f)
    {
        CheckBySample(perSample, grid, destination);
        fixed (float* p = Host(perSample), rows = Host(destination))
        fixed (int* offsets = grid.SampleOffsets)
            RangeJob<BySampleOperation>.Run(new(p, offsets, rows, grid, destination.Columns, alpha, false, Simd), grid.BatchSize,
                SamplesPerChunk(grid, destination.Columns), destination.Length, Threads);
    }

    /// <inheritdoc/>
    public unsafe void SumBySample(FeatureMatrix source, SparseGrid grid, FeatureMatrix perSample, float alpha = 1f)
    {
        CheckBySample(perSample, grid, source);
        fixed (float* p = Host(perSample), rows = Host(source))
        fixed (int* offsets = grid.SampleOffsets)
            RangeJob<BySampleOperation>.Run(new(p, offsets, rows, grid, source.Columns, alpha, true, Simd), grid.BatchSize,
                SamplesPerChunk(grid, source.Columns), source.Length, Threads);
    }

    /// <summary>Whole samples per work item of a per-sample pass: about <see cref="ActivationChunk"/> row values each.</summary>
    private static int SamplesPerChunk(SparseGrid grid, int columns) =>
        (int)Math.Clamp((long)ActivationChunk * grid.BatchSize / Math.Max(1L, (long)grid.ActiveCount * columns), 1, Math.Max(1, grid.BatchSize));

    /// <summary>Samples [first, end) of a per-sample broadcast or sum: each sample writes only its own rows (or its per-sample row).</summary>
    private readonly unsafe struct BySampleOperation(float* perSample, int* offsets, float* rows, SparseGrid grid, int c, float alpha, bool sum,
        SimdLevel simd) : IRangeOperation
    {
        private readonly int _batch = grid.BatchSize;
        private readonly int _rows = grid.ActiveCount;

        public void Invoke(int first, int end)
        {
            Span<float> p = new(perSample, _batch * c), r = new(rows, _rows * c);
            ReadOnlySpan<int> o = new(offsets, _batch + 1);
            if (sum)
                SumBySample(r, o, p, c, alpha, first, end, simd);
            else
                AddBySample(p, o, r, c, alpha, first, end, simd);
        }
    }

    /// <inheritdoc/>
    public void MeanBySample(FeatureMatrix source, SparseGrid grid, FeatureMatrix destination)
    {
        CheckBySample(destination, grid, source);
        Span<float> d = Host(destination);
        d.Clear();
        SumBySample(Host(source), grid.SampleOffsets, d, source.Columns, 1f, 0, grid.BatchSize, Simd);
        int c = destination.Columns;
        for (int b = 0; b < destination.Rows; b++)
            TensorPrimitives.Multiply(d.Slice(b * c, c), 1f / Math.Max(1, grid.ActiveCountOf(b)), d.Slice(b * c, c));
    }

    /// <inheritdoc/>
    public void MeanBySampleBackward(FeatureMatrix perSample, SparseGrid grid, FeatureMatrix destination)
    {
        CheckBySample(perSample, grid, destination);
        Span<float> g = Host(perSample), d = Host(destination);
        int c = destination.Columns;
        ReadOnlySpan<int> offsets = grid.SampleOffsets;
        for (int b = 0; b < perSample.Rows; b++)
        {
            float scale = 1f / Math.Max(1, grid.ActiveCountOf(b));
            for (int r = offsets[b]; r < offsets[b + 1]; r++)
                TensorPrimitives.MultiplyAdd(g.Slice(b * c, c), scale, d.Slice(r * c, c), d.Slice(r * c, c));
        }
    }

    /// <summary>
    /// destination[r] += alpha * perSample[b] for every row r of sample b. The vector paths keep the sample's
    /// scaled row in a register for all its rows (a TensorPrimitives call per row costs more than the work for
    /// the few dozen channels of small layers); same operations, same bits as the scalar path.
    /// </summary>
    private static void AddBySample(ReadOnlySpan<float> perSample, ReadOnlySpan<int> offsets, Span<float> destination, int c, float alpha,
        int firstSample, int endSample, SimdLevel simd)
    {
        ref float dr = ref MemoryMarshal.GetReference(destination);
        for (int b = firstSample; b < endSample; b++)
        {
            ReadOnlySpan<float> gb = perSample.Slice(b * c, c);
            ref float gr = ref MemoryMarshal.GetReference(gb);
            int j = 0;
            if (simd == SimdLevel.Vector512)
            {
                for (; j + 16 <= c; j += 16)
                {
                    Vector512<float> add = Vector512.LoadUnsafe(ref gr, (nuint)j) * alpha;
                    for (int r = offsets[b]; r < offsets[b + 1]; r++)
                    {
                        nuint at = (nuint)(r * c + j);
                        (add + Vector512.LoadUnsafe(ref dr, at)).StoreUnsafe(ref dr, at);
                    }
                }
            }
            if (simd >= SimdLevel.Vector256)
            {
                for (; j + 8 <= c; j += 8)
                {
                    Vector256<float> add = Vector256.LoadUnsafe(ref gr, (nuint)j) * alpha;
                    for (int r = offsets[b]; r < offsets[b + 1]; r++)
                    {
                        nuint at = (nuint)(r * c + j);
                        (add + Vector256.LoadUnsafe(ref dr, at)).StoreUnsafe(ref dr, at);
                    }
                }
            }
            if (j == c)
                continue;
            for (int r = offsets[b]; r < offsets[b + 1]; r++)
            {
                Span<float> rest = destination.Slice(r * c + j, c - j);
                TensorPrimitives.MultiplyAdd(gb[j..], alpha, rest, rest);
            }
        }
    }

    /// <summary>
    /// perSample[b] += alpha * (sum of sample b's rows), the rows added in order into a zeroed sum first, so
    /// each total is rounded the same way whatever alpha is. The vector paths keep the sum in a register.
    /// </summary>
    private static void SumBySample(ReadOnlySpan<float> source, ReadOnlySpan<int> offsets, Span<float> perSample, int c, float alpha,
        int firstSample, int endSample, SimdLevel simd)
    {
        ref float sr = ref MemoryMarshal.GetReference(source);
        ref float pr = ref MemoryMarshal.GetReference(perSample);
        Span<float> sum = c <= 1024 ? stackalloc float[c] : new float[c];
        for (int b = firstSample; b < endSample; b++)
        {
            int j = 0;
            if (simd == SimdLevel.Vector512)
            {
                for (; j + 16 <= c; j += 16)
                {
                    Vector512<float> total = Vector512<float>.Zero;
                    for (int r = offsets[b]; r < offsets[b + 1]; r++)
                        total += Vector512.LoadUnsafe(ref sr, (nuint)(r * c + j));
                    nuint at = (nuint)(b * c + j);
                    (total * alpha + Vector512.LoadUnsafe(ref pr, at)).StoreUnsafe(ref pr, at);
                }
            }
            if (simd >= SimdLevel.Vector256)
            {
                for (; j + 8 <= c; j += 8)
                {
                    Vector256<float> total = Vector256<float>.Zero;
                    for (int r = offsets[b]; r < offsets[b + 1]; r++)
                        total += Vector256.LoadUnsafe(ref sr, (nuint)(r * c + j));
                    nuint at = (nuint)(b * c + j);
                    (total * alpha + Vector256.LoadUnsafe(ref pr, at)).StoreUnsafe(ref pr, at);
                }
            }
            if (j == c)
                continue;
            Span<float> rest = sum[..(c - j)];
            rest.Clear();
            for (int r = offsets[b]; r < offsets[b + 1]; r++)
                TensorPrimitives.Add(rest, source.Slice(r * c + j, c - j), rest);
            Span<float> gb = perSample.Slice(b * c + j, c - j);
            TensorPrimitives.MultiplyAdd(rest, alpha, gb, gb);
        }
    }

    /// <inheritdoc/>
    public bool AllFinite(FeatureMatrix matrix, out long firstBad)
    {
        Span<float> m = Host(matrix);
        for (int i = 0; i < m.Length; i++)
            if (!float.IsFinite(m[i]))
            {
                firstBad = i;
                return false;
            }
        firstBad = -1;
        return true;
    }

    private static void CheckBySample(FeatureMatrix perSample, SparseGrid grid, FeatureMatrix rows)
    {
        if (perSample.Rows != grid.BatchSize || rows.Rows != grid.ActiveCount || perSample.Columns != rows.Columns)
            throw new ArgumentException($"Per-sample matrix {perSample.Rows} x {perSample.Columns} does not match {rows.Rows} x {rows.Columns} rows of a grid with {grid.BatchSize} samples and {grid.ActiveCount} active sites.");
    }
}
