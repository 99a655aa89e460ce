using ILGPU;
using ILGPU.Runtime;
using SpatiallySparse.Backends;
using SpatiallySparse.Ilgpu.Kernels;

namespace SpatiallySparse.Ilgpu;

public sealed partial class IlgpuBackend
{
    private BatchNormLaunchers? _batchNorm;

    private BatchNormLaunchers BatchNorm => _batchNorm ??= new BatchNormLaunchers(_accelerator);

    /// <inheritdoc/>
    public void BatchNormStatistics(FeatureMatrix x, FeatureMatrix mean, FeatureMatrix variance)
    {
        int c = x.Columns;
        CheckShape(mean, 1, c, "Batch norm mean");
        CheckShape(variance, 1, c, "Batch norm variance");
        if (c == 0)
            return;
        // Two passes in double, like the CPU backend: the mean first, then the squared deviations from it.
        ArrayView<double> meanDouble = _scratch.Get<double>("bn-mean", c);
        ArrayView<double> totals = ColumnTotals(x, x, meanDouble, BatchNormKernels.SumX);
        BatchNorm.SetMean(c, totals, x.Rows, meanDouble, Dev(mean));
        totals = ColumnTotals(x, x, meanDouble, BatchNormKernels.SumSquaredDeviation);
        BatchNorm.SetVariance(c, totals, x.Rows, Dev(variance));
    }

    /// <inheritdoc/>
    public void BatchNormForward(FeatureMatrix x, FeatureMatrix mean, FeatureMatrix variance, float epsilon,
        FeatureMatrix gamma, FeatureMatrix beta, FeatureMatrix y)
    {
        int c = x.Columns;
        CheckSameShape(x, y, nameof(BatchNormForward));
        foreach (FeatureMatrix p in (ReadOnlySpan<FeatureMatrix>)[mean, variance, gamma, beta])
            CheckShape(p, 1, c, "Batch norm parameter");
        if (x.Length > 0)
            BatchNorm.Forward((int)x.Length, Dev(x), Dev(mean), Dev(variance), Dev(gamma), Dev(beta), Dev(y), c, epsilon);
    }

    /// <inheritdoc/>
    public void BatchNormBackward(FeatureMatrix x, FeatureMatrix gradY, FeatureMatrix ground, FeatureMatrix gradGroundY,
        FeatureMatrix mean, FeatureMatrix variance, float epsilon, FeatureMatrix gamma, bool batchStatistics,
        FeatureMatrix gradX, FeatureMatrix gradGround, FeatureMatrix gradGamma, FeatureMatrix gradBeta)
    {
        int c = x.Columns;
        CheckSameShape(x, gradY, "Batch norm output gradient");
        CheckSameShape(x, gradX, "Batch norm input gradient");
        CheckSameShape(ground, gradGroundY, "Batch norm ground gradient");
        CheckSameShape(ground, gradGround, "Batch norm ground gradient");
        foreach (FeatureMatrix p in (ReadOnlySpan<FeatureMatrix>)[mean, variance, gamma, gradGamma, gradBeta])
            CheckShape(p, 1, c, "Batch norm parameter");
        if (c == 0)
            return;
        ArrayView<double> stats = _scratch.Get<double>("bn-backward", 4L * c);
        ArrayView<double> meanDouble = _scratch.Get<double>("bn-mean", c);
        BatchNorm.WidenMean(c, Dev(mean), meanDouble);
        ColumnTotals(x, gradY, meanDouble, BatchNormKernels.SumDy, stats.SubView(0, c));
        ColumnTotals(x, gradY, meanDouble, BatchNormKernels.SumDyDeviation, stats.SubView(c, c));
        int scaledRows = batchStatistics ? x.Rows : 0;
        BatchNorm.FinishBackward(c, stats, Dev(ground), Dev(gradGroundY), Dev(mean), Dev(variance), Dev(gamma), Dev(gradGround), Dev(gradGamma),
            Dev(gradBeta), scaledRows, ground.Rows, c, epsilon);
        if (x.Length > 0)
            BatchNorm.InputGradient((int)x.Length, Dev(x), Dev(gradY), Dev(mean), Dev(variance), Dev(gamma), stats, Dev(gradX), c, epsilon);
    }

    /// <summary>Column totals of a term in two stages (chunks of rows, then chunks in order) into <paramref name="totals"/> or scratch.</summary>
    private ArrayView<double> ColumnTotals(FeatureMatrix x, FeatureMatrix dy, ArrayView<double> meanDouble, int term, ArrayView<double>? totals = null)
    {
        int c = x.Columns, chunks = Math.Max(1, (x.Rows + ColumnChunkRows - 1) / ColumnChunkRows);
        ArrayView<double> partial = _scratch.Get<double>("bn-partials", (long)chunks * c);
        ArrayView<double> result = totals ?? _scratch.Get<double>("bn-totals", c);
        BatchNorm.ChunkSums(chunks * c, Dev(x), Dev(dy), meanDouble, x.Rows, c, ColumnChunkRows, term, partial);
        BatchNorm.ChunkTotals(c, partial, chunks, c, result);
        return result;
    }

    private sealed class BatchNormLaunchers(Accelerator a)
    {
        public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<double>, int, int, int, int, ArrayView<double>> ChunkSums { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<double>, int, int, int, int, ArrayView<double>>(BatchNormKernels.ChunkSums);

        public Action<Index1D, ArrayView<double>, int, int, ArrayView<double>> ChunkTotals { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, int, int, ArrayView<double>>(BatchNormKernels.ChunkTotals);

        public Action<Index1D, ArrayView<double>, int, ArrayView<double>, ArrayView<float>> SetMean { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, int, ArrayView<double>, ArrayView<float>>(BatchNormKernels.SetMean);

        public Action<Index1D, ArrayView<double>, int, ArrayView<float>> SetVariance { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, int, ArrayView<float>>(BatchNormKernels.SetVariance);

        public Action<Index1D, ArrayView<float>, ArrayView<double>> WidenMean { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<double>>(BatchNormKernels.WidenMean);

        public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float> Forward { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>(BatchNormKernels.Forward);

        public Action<Index1D, ArrayView<double>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, int, int, int, float> FinishBackward { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, float>(BatchNormKernels.FinishBackward);

        public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>, ArrayView<float>, int, float> InputGradient { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>, ArrayView<float>, int, float>(BatchNormKernels.InputGradient);
    }
}
