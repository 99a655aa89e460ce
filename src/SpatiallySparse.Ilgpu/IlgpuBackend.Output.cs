using ILGPU;
using ILGPU.Runtime;
using SpatiallySparse.Backends;
using SpatiallySparse.Geometry;
using SpatiallySparse.Ilgpu.Kernels;

namespace SpatiallySparse.Ilgpu;

public sealed partial class IlgpuBackend
{
    private OutputLaunchers? _output;

    private OutputLaunchers Output => _output ??= new OutputLaunchers(_accelerator);

    /// <inheritdoc/>
    public void SparseToDense(FeatureMatrix features, FeatureMatrix ground, SparseGrid grid, FeatureMatrix dense)
    {
        int c = features.Columns;
        int volume = checked((int)grid.Size.Volume);
        CheckShape(dense, grid.BatchSize, checked(c * volume), "Sparse-to-dense output");
        CheckShape(ground, grid.BatchSize, c, "Sparse-to-dense ground state");
        if (features.Rows != grid.ActiveCount)
            throw new ArgumentException($"Sparse-to-dense: {features.Rows} feature rows for {grid.ActiveCount} active sites.");
        DeviceGrid g = _geometry.Get(grid);
        if (dense.Length > 0)
            Output.FillGround((int)dense.Length, Dev(ground), Dev(dense), c, volume);
        if (features.Length > 0)
            Output.ScatterActive((int)features.Length, Dev(features), g.SampleOfRow, g.LinearIndexOfRow, Dev(dense), c, volume);
    }

    /// <inheritdoc/>
    public void SparseToDenseBackward(FeatureMatrix gradDense, SparseGrid grid, FeatureMatrix gradFeatures, FeatureMatrix gradGround)
    {
        int c = gradFeatures.Columns;
        int volume = checked((int)grid.Size.Volume);
        CheckShape(gradDense, grid.BatchSize, c * volume, "Sparse-to-dense gradient");
        CheckShape(gradGround, grid.BatchSize, c, "Sparse-to-dense ground gradient");
        CheckShape(gradFeatures, grid.ActiveCount, c, "Sparse-to-dense feature gradient");
        DeviceGrid g = _geometry.Get(grid);
        if (gradGround.Length > 0)
            Output.GroundGradient((int)gradGround.Length, Dev(gradDense), g.SampleOffsets, g.LinearIndexOfRow, Dev(gradGround), c, volume);
        if (gradFeatures.Length > 0)
            Output.GatherActive((int)gradFeatures.Length, Dev(gradDense), g.SampleOfRow, g.LinearIndexOfRow, Dev(gradFeatures), c, volume);
    }

    /// <inheritdoc/>
    public float SoftmaxCrossEntropy(FeatureMatrix logits, int[] labels, FeatureMatrix probabilities)
    {
        CheckSameShape(logits, probabilities, nameof(SoftmaxCrossEntropy));
        CheckLabels(logits, labels);
        if (logits.Rows == 0)
            return 0f;
        ArrayView<double> losses = _scratch.Get<double>("losses", logits.Rows);
        Output.Softmax(logits.Rows, Dev(logits), UploadLabels(labels), Dev(probabilities), losses, logits.Columns);
        // Only the per-sample losses come back (B doubles); they are summed in order as on the CPU.
        double[] host = new double[logits.Rows];
        _accelerator.Synchronize();
        losses.CopyToCPU(host);
        double loss = 0;
        foreach (double l in host)
            loss += l;
        return (float)(loss / logits.Rows);
    }

    /// <inheritdoc/>
    public void SoftmaxCrossEntropyBackward(FeatureMatrix probabilities, int[] labels, float scale, FeatureMatrix gradLogits)
    {
        CheckSameShape(probabilities, gradLogits, nameof(SoftmaxCrossEntropyBackward));
        CheckLabels(probabilities, labels);
        if (probabilities.Length > 0)
            Output.SoftmaxBackward((int)probabilities.Length, Dev(probabilities), UploadLabels(labels), Dev(gradLogits), probabilities.Columns, scale);
    }

    /// <inheritdoc/>
    public void SgdStep(FeatureMatrix value, FeatureMatrix grad, FeatureMatrix velocity, float learningRate, float momentum,
        float weightDecay, bool nesterov)
    {
        CheckSameShape(value, grad, nameof(SgdStep));
        CheckSameShape(value, velocity, nameof(SgdStep));
        if (value.Length > 0)
            Output.Sgd((int)value.Length, Dev(value), Dev(grad), Dev(velocity), learningRate, momentum, weightDecay, nesterov ? 1 : 0);
    }

    /// <summary>Copies the labels into the reused label buffer (labels change every batch, so they are not cached).</summary>
    private ArrayView<int> UploadLabels(int[] labels)
    {
        ArrayView<int> view = _scratch.Get<int>("labels", labels.Length);
        view.CopyFromCPU(labels);
        return view;
    }

    private static void CheckLabels(FeatureMatrix logits, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != logits.Rows)
            throw new ArgumentException($"{labels.Length} labels for a batch of {logits.Rows}.");
        for (int b = 0; b < labels.Length; b++)
            if ((uint)labels[b] >= (uint)logits.Columns)
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[b]} of sample {b} is outside the {logits.Columns} classes.");
    }

    private sealed class OutputLaunchers(Accelerator a)
    {
        public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> FillGround { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(OutputKernels.FillGround);

        public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<long>, ArrayView<float>, int, int> ScatterActive { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<long>, ArrayView<float>, int, int>(OutputKernels.ScatterActive);

        public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<long>, ArrayView<float>, int, int> GatherActive { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<long>, ArrayView<float>, int, int>(OutputKernels.GatherActive);

        public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<long>, ArrayView<float>, int, int> GroundGradient { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<long>, ArrayView<float>, int, int>(OutputKernels.GroundGradient);

        public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<double>, int> Softmax { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<double>, int>(OutputKernels.SoftmaxCrossEntropy);

        public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, float> SoftmaxBackward { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, float>(OutputKernels.SoftmaxCrossEntropyBackward);

        public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, int> Sgd { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, int>(OutputKernels.SgdStep);
    }
}
