using ILGPU;
using ILGPU.Runtime;
using SpatiallySparse.Backends;
using SpatiallySparse.Geometry;
using SpatiallySparse.Ilgpu.Kernels;

namespace SpatiallySparse.Ilgpu;

public sealed partial class IlgpuBackend
{
    private PoolingLaunchers? _pooling;

    private PoolingLaunchers Pooling => _pooling ??= new PoolingLaunchers(_accelerator);

    /// <inheritdoc/>
    public void MaxPoolForward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid,
        bool includeGround, FeatureMatrix output)
    {
        CheckPooling(input, inputGround, rules, outputGrid, output);
        if (output.Length > 0)
            Pooling.MaxForward((int)output.Length, Dev(input), Dev(inputGround), _geometry.Neighbours(rules), _geometry.Get(outputGrid).SampleOfRow,
                Dev(output), input.Columns, rules.FilterVolume, includeGround ? 1 : 0);
    }

    /// <inheritdoc/>
    public void MaxPoolBackward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid,
        bool includeGround, FeatureMatrix output, FeatureMatrix gradOutput, FeatureMatrix gradInput, FeatureMatrix gradInputGround,
        bool overwriteGradInput = false)
    {
        CheckPooling(input, inputGround, rules, outputGrid, output);
        CheckSameShape(output, gradOutput, "Max pooling output gradient");
        CheckSameShape(input, gradInput, "Max pooling input gradient");
        CheckSameShape(inputGround, gradInputGround, "Max pooling ground gradient");
        if (overwriteGradInput)
            Fill(gradInput, 0f);
        ArrayView<int> table = _geometry.Neighbours(rules);
        int c = input.Columns, taps = rules.FilterVolume;
        if (input.Length > 0)
            Pooling.MaxBackwardInput((int)input.Length, Dev(input), table, _geometry.Neighbours(rules.Transposed), Dev(output), Dev(gradOutput), Dev(gradInput), c, taps);
        if (includeGround && inputGround.Length > 0)
            Pooling.MaxBackwardGround((int)inputGround.Length, Dev(input), table, _geometry.Get(outputGrid).SampleOffsets, Dev(output), Dev(gradOutput),
                Dev(gradInputGround), c, taps);
    }

    /// <inheritdoc/>
    public void AveragePoolForward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid,
        bool includeGround, FeatureMatrix output)
    {
        CheckPooling(input, inputGround, rules, outputGrid, output);
        if (output.Length > 0)
            Pooling.AverageForward((int)output.Length, Dev(input), Dev(inputGround), _geometry.Neighbours(rules), _geometry.Get(outputGrid).SampleOfRow,
                Dev(output), input.Columns, rules.FilterVolume, includeGround ? 1 : 0);
    }

    /// <inheritdoc/>
    public void AveragePoolBackward(RuleBook rules, SparseGrid outputGrid, bool includeGround, FeatureMatrix gradOutput,
        FeatureMatrix gradInput, FeatureMatrix gradInputGround)
    {
        if (gradOutput.Rows != rules.OutputRows || gradInput.Rows != rules.InputRows || outputGrid.ActiveCount != rules.OutputRows
            || gradInput.Columns != gradOutput.Columns || gradInputGround.Columns != gradOutput.Columns)
            throw new ArgumentException($"Average pooling backward: shapes do not match {rules}.");
        int c = gradOutput.Columns, taps = rules.FilterVolume;
        if (gradInput.Length > 0)
            Pooling.AverageBackwardInput((int)gradInput.Length, _geometry.Neighbours(rules.Transposed), Dev(gradOutput), Dev(gradInput), c, taps);
        if (includeGround && gradInputGround.Length > 0)
            Pooling.AverageBackwardGround((int)gradInputGround.Length, _geometry.Neighbours(rules), _geometry.Get(outputGrid).SampleOffsets, Dev(gradOutput),
                Dev(gradInputGround), c, taps);
    }

    private static void CheckPooling(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid, FeatureMatrix output)
    {
        if (input.Rows != rules.InputRows || output.Rows != rules.OutputRows || outputGrid.ActiveCount != rules.OutputRows)
            throw new ArgumentException($"Pooling: {rules} does not match {input.Rows} input rows and {output.Rows} output rows.");
        if (input.Columns != output.Columns || inputGround.Columns != input.Columns)
            throw new ArgumentException($"Pooling keeps the channel count: input {input.Columns}, ground {inputGround.Columns}, output {output.Columns}.");
    }

    private sealed class PoolingLaunchers(Accelerator a)
    {
        public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, int, int, int> MaxForward { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, int, int, int>(PoolingKernels.MaxForward);

        public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> MaxBackwardInput { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(PoolingKernels.MaxBackwardInput);

        public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> MaxBackwardGround { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(PoolingKernels.MaxBackwardGround);

        public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, int, int, int> AverageForward { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, int, int, int>(PoolingKernels.AverageForward);

        public Action<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int> AverageBackwardInput { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int>(PoolingKernels.AverageBackwardInput);

        public Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int> AverageBackwardGround { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int>(PoolingKernels.AverageBackwardGround);
    }
}
