using ILGPU;
using ILGPU.Runtime;
using SpatiallySparse.Backends;
using SpatiallySparse.Geometry;
using SpatiallySparse.Ilgpu.Kernels;

namespace SpatiallySparse.Ilgpu;

public sealed partial class IlgpuBackend
{
    // Rows per chunk of the two-stage column sums: enough chunks to fill the device, short enough serial loops.
    private const int ColumnChunkRows = 256;

    private ElementwiseLaunchers? _elementwise;

    private ElementwiseLaunchers Elementwise => _elementwise ??= new ElementwiseLaunchers(_accelerator);

    /// <inheritdoc/>
    public void Fill(FeatureMatrix matrix, float value)
    {
        ArrayView<float> m = Dev(matrix);
        if (m.Length > 0)
            Elementwise.Fill((int)m.Length, m, value);
    }

    /// <inheritdoc/>
    public void Copy(FeatureMatrix source, FeatureMatrix destination)
    {
        CheckSameShape(source, destination, nameof(Copy));
        if (source.Length > 0)
            Elementwise.Copy((int)source.Length, Dev(source), Dev(destination));
    }

    /// <inheritdoc/>
    public void Add(FeatureMatrix source, FeatureMatrix destination, float alpha = 1f)
    {
        CheckSameShape(source, destination, nameof(Add));
        if (source.Length > 0)
            Elementwise.Add((int)source.Length, Dev(source), Dev(destination), alpha);
    }

    /// <inheritdoc/>
    public void Scale(FeatureMatrix matrix, float alpha)
    {
        ArrayView<float> m = Dev(matrix);
        if (m.Length > 0)
            Elementwise.Scale((int)m.Length, m, alpha);
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
        if (a.Length > 0)
            Elementwise.Multiply((int)a.Length, Dev(a), Dev(b), Dev(destination), broadcast ? a.Columns : 0, accumulate ? 1 : 0);
    }

    /// <inheritdoc/>
    public void AddRowVector(FeatureMatrix row, FeatureMatrix destination)
    {
        CheckShape(row, 1, destination.Columns, nameof(AddRowVector));
        if (destination.Length > 0)
            Elementwise.AddRowVector((int)destination.Length, Dev(row), Dev(destination), destination.Columns);
    }

    /// <inheritdoc/>
    public void SumRows(FeatureMatrix source, FeatureMatrix rowDestination, float alpha = 1f)
    {
        CheckShape(rowDestination, 1, source.Columns, nameof(SumRows));
        int c = source.Columns, chunks = Math.Max(1, (source.Rows + ColumnChunkRows - 1) / ColumnChunkRows);
        if (c == 0)
            return;
        ArrayView<double> partial = _scratch.Get<double>("column-partials", (long)chunks * c);
        Elementwise.ColumnChunkSums(chunks * c, Dev(source), source.Rows, c, ColumnChunkRows, partial);
        Elementwise.FinishColumnSums(c, partial, chunks, c, Dev(rowDestination), alpha);
    }

    /// <inheritdoc/>
    public void AddBySample(FeatureMatrix perSample, SparseGrid grid, FeatureMatrix destination, float alpha = 1f)
    {
        CheckBySample(perSample, grid, destination);
        if (destination.Length > 0)
            Elementwise.AddBySample((int)destination.Length, Dev(perSample), _geometry.Get(grid).SampleOfRow, Dev(destination), destination.Columns, alpha);
    }

    /// <inheritdoc/>
    public void SumBySample(FeatureMatrix source, SparseGrid grid, FeatureMatrix perSample, float alpha = 1f)
    {
        CheckBySample(perSample, grid, source);
        if (perSample.Length > 0)
            Elementwise.SumBySample((int)perSample.Length, Dev(source), _geometry.Get(grid).SampleOffsets, Dev(perSample), source.Columns, alpha);
    }

    /// <inheritdoc/>
    public void MeanBySample(FeatureMatrix source, SparseGrid grid, FeatureMatrix destination)
    {
        CheckBySample(destination, grid, source);
        if (destination.Length > 0)
            Elementwise.MeanBySample((int)destination.Length, Dev(source), _geometry.Get(grid).SampleOffsets, Dev(destination), source.Columns);
    }

    /// <inheritdoc/>
    public void MeanBySampleBackward(FeatureMatrix perSample, SparseGrid grid, FeatureMatrix destination)
    {
        CheckBySample(perSample, grid, destination);
        DeviceGrid g = _geometry.Get(grid);
        if (destination.Length > 0)
            Elementwise.MeanBySampleBackward((int)destination.Length, Dev(perSample), g.SampleOffsets, g.SampleOfRow, Dev(destination), destination.Columns);
    }

    /// <inheritdoc/>
    public bool AllFinite(FeatureMatrix matrix, out long firstBad)
    {
        ArrayView<float> m = Dev(matrix);
        firstBad = -1;
        if (m.Length == 0)
            return true;
        ArrayView<int> result = _scratch.Get<int>("first-bad", 1);
        Elementwise.Fill1(1, result, int.MaxValue);
        Elementwise.FirstNonFinite((int)m.Length, m, result);
        int[] host = new int[1];
        _accelerator.Synchronize();
        result.CopyToCPU(host);
        if (host[0] == int.MaxValue)
            return true;
        firstBad = host[0];
        return false;
    }

    private static void CheckBySample(FeatureMatrix perSample, SparseGrid grid, FeatureMatrix rows)
    {
        if (perSample.Rows != grid.BatchSize || rows.Rows != grid.ActiveCount || perSample.Columns != rows.Columns)
            throw new ArgumentException($"Per-sample matrix {perSample.Rows} x {perSample.Columns} does not match {rows.Rows} x {rows.Columns} rows of a grid with {grid.BatchSize} samples and {grid.ActiveCount} active sites.");
    }

    /// <summary>The element-wise kernels, compiled once per backend.</summary>
    private sealed class ElementwiseLaunchers(Accelerator a)
    {
        public Action<Index1D, ArrayView<float>, float> Fill { get; } = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(ElementwiseKernels.Fill);

        public Action<Index1D, ArrayView<int>, int> Fill1 { get; } = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, int>(ElementwiseKernels.FillInt);

        public Action<Index1D, ArrayView<float>, ArrayView<float>> Copy { get; } = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Copy);

        public Action<Index1D, ArrayView<float>, ArrayView<float>, float> Add { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float>(ElementwiseKernels.Add);

        public Action<Index1D, ArrayView<float>, float> Scale { get; } = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(ElementwiseKernels.Scale);

        public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> Multiply { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(ElementwiseKernels.Multiply);

        public Action<Index1D, ArrayView<float>, ArrayView<float>, int> AddRowVector { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.AddRowVector);

        public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, float> AddBySample { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, float>(ElementwiseKernels.AddBySample);

        public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, float> SumBySample { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, float>(ElementwiseKernels.SumBySample);

        public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int> MeanBySample { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int>(ElementwiseKernels.MeanBySample);

        public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, int> MeanBySampleBackward { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, int>(ElementwiseKernels.MeanBySampleBackward);

        public Action<Index1D, ArrayView<float>, ArrayView<int>> FirstNonFinite { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>>(ElementwiseKernels.FirstNonFinite);

        public Action<Index1D, ArrayView<float>, int, int, int, ArrayView<double>> ColumnChunkSums { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, int, int, ArrayView<double>>(ElementwiseKernels.ColumnChunkSums);

        public Action<Index1D, ArrayView<double>, int, int, ArrayView<float>, float> FinishColumnSums { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, int, int, ArrayView<float>, float>(ElementwiseKernels.FinishColumnSums);
    }
}
