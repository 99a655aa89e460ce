using ILGPU;
using ILGPU.Runtime;
using SpatiallySparse.Backends;
using SpatiallySparse.Geometry;
using SpatiallySparse.Ilgpu.Kernels;

namespace SpatiallySparse.Ilgpu;

public sealed partial class IlgpuBackend
{
    private ConvolutionLaunchers? _convolution;

    private ConvolutionLaunchers Convolution => _convolution ??= new ConvolutionLaunchers(_accelerator);

    /// <summary>Rows (or columns) of the (4T x 4T) output tile of the tiled convolution kernels.</summary>
    private int BlockSide => 4 * TileSize;

    /// <inheritdoc/>
    public void ConvolutionForward(FeatureMatrix input, FeatureMatrix weights, RuleBook rules, FeatureMatrix output)
    {
        CheckConvolution(input, weights, rules, output);
        ScatterAdd(Dev(input), input.Columns, Dev(weights), Dev(output), output.Columns, rules);
    }

    /// <inheritdoc/>
    public void ConvolutionBackward(FeatureMatrix input, FeatureMatrix gradOutput, FeatureMatrix weights, RuleBook rules,
        FeatureMatrix? gradInput, FeatureMatrix gradWeights, bool overwriteGradInput = false)
    {
        int cin = input.Columns, cout = gradOutput.Columns, taps = rules.FilterVolume;
        CheckConvolution(input, weights, rules, gradOutput);
        CheckSameShape(weights, gradWeights, "Convolution weight gradient");
        WeightGradient(Dev(input), cin, Dev(gradOutput), cout, rules, Dev(gradWeights));
        if (gradInput is null)
            return;
        CheckSameShape(input, gradInput, "Convolution input gradient");
        if (overwriteGradInput)
            Fill(gradInput, 0f);
        // Backward to the input is the forward kernel on the transposed rulebook with W_t^T (cout x cin), transposed on the device.
        ArrayView<float> transposed = _scratch.Get<float>("transposed-weights", (long)taps * cin * cout);
        if (weights.Length > 0)
            Convolution.TransposeTaps((int)weights.Length, Dev(weights), transposed, cin, cout);
        ScatterAdd(Dev(gradOutput), cout, transposed, Dev(gradInput), cin, rules.Transposed);
    }

    /// <inheritdoc/>
    public void SumTaps(FeatureMatrix weights, FeatureMatrix destination)
    {
        int block = destination.Rows * destination.Columns;
        if (block == 0 || weights.Columns != destination.Columns || weights.Rows % destination.Rows != 0)
            throw new ArgumentException($"{nameof(SumTaps)}: weights {weights.Rows} x {weights.Columns} are not a stack of {destination.Rows} x {destination.Columns} taps.");
        Convolution.SumTaps(block, Dev(weights), Dev(destination), weights.Rows / destination.Rows, block);
    }

    /// <inheritdoc/>
    public void BroadcastTapsAdd(FeatureMatrix source, FeatureMatrix gradWeights)
    {
        int block = source.Rows * source.Columns;
        if (block == 0 || gradWeights.Columns != source.Columns || gradWeights.Rows % source.Rows != 0)
            throw new ArgumentException($"{nameof(BroadcastTapsAdd)}: {gradWeights.Rows} x {gradWeights.Columns} is not a stack of {source.Rows} x {source.Columns} taps.");
        Convolution.BroadcastTapsAdd((int)gradWeights.Length, Dev(source), Dev(gradWeights), block);
    }

    /// <inheritdoc/>
    public void MatMulAdd(FeatureMatrix a, bool transposeA, FeatureMatrix b, bool transposeB, FeatureMatrix c)
    {
        int m = transposeA ? a.Columns : a.Rows, k = transposeA ? a.Rows : a.Columns;
        int kb = transposeB ? b.Columns : b.Rows, n = transposeB ? b.Rows : b.Columns;
        if (k != kb || c.Rows != m || c.Columns != n)
            throw new ArgumentException($"{nameof(MatMulAdd)}: cannot multiply {m} x {k} by {kb} x {n} into {c.Rows} x {c.Columns}.");
        if (c.Length > 0)
            Convolution.MatMulAdd((int)c.Length, Dev(a), Dev(b), Dev(c), k, n, transposeA ? 1 : 0, transposeB ? 1 : 0, a.Columns);
    }

    /// <summary>output[o] += input[i] x W_t for every pair, one launch per tap so taps never write an output row concurrently.</summary>
    private void ScatterAdd(ArrayView<float> input, int cin, ArrayView<float> weights, ArrayView<float> output, int cout, RuleBook rules)
    {
        DeviceRules device = _geometry.Get(rules);
        int block = cin * cout, side = BlockSide;
        for (int t = 0; t < rules.FilterVolume; t++)
        {
            int start = device.TapStart[t], pairs = device.TapStart[t + 1] - start;
            if (pairs == 0 || block == 0)
                continue;
            KernelConfig config = new(new Index2D((pairs + side - 1) / side, (cout + side - 1) / side), new Index2D(TileSize, TileSize));
            Convolution.Forward(config, input, weights.SubView((long)t * block, block), output, device.InputRows.SubView(start, pairs),
                device.OutputRows.SubView(start, pairs), pairs, cin, cout);
        }
    }

    /// <summary>
    /// gradWeights_t += input^T x gradOutput over tap t's pairs: the pairs are split into a fixed number of chunks, each
    /// chunk's block product is written to scratch, and the chunks are summed in order (deterministic, no atomics).
    /// </summary>
    private void WeightGradient(ArrayView<float> input, int cin, ArrayView<float> gradOutput, int cout, RuleBook rules, ArrayView<float> gradWeights)
    {
        DeviceRules device = _geometry.Get(rules);
        int block = cin * cout, side = BlockSide;
        int blocks = ((cin + side - 1) / side) * ((cout + side - 1) / side);
        for (int t = 0; t < rules.FilterVolume; t++)
        {
            int start = device.TapStart[t], pairs = device.TapStart[t + 1] - start;
            if (pairs == 0 || block == 0)
                continue;
            (int chunks, int chunk) = SplitPairs(pairs, blocks);
            ArrayView<float> partial = _scratch.Get<float>("weight-gradient-partials", (long)chunks * block);
            KernelConfig config = new(new Index2D(blocks, chunks), new Index2D(TileSize, TileSize));
            Convolution.WeightGradientPartial(config, input, gradOutput, partial, device.InputRows.SubView(start, pairs),
                device.OutputRows.SubView(start, pairs), pairs, cin, cout, chunk);
            Convolution.WeightGradientReduce(block, partial, chunks, block, gradWeights.SubView((long)t * block, block));
        }
    }

    /// <summary>
    /// Chunks of a tap's pairs for the weight gradient: about four groups per multiprocessor in all, whole tiles per
    /// chunk. The split depends only on the pair count and the device, so results repeat run to run.
    /// </summary>
    private (int Chunks, int Chunk) SplitPairs(int pairs, int blocks)
    {
        int wanted = Math.Max(1, 4 * _accelerator.NumMultiprocessors / blocks);
        int tiles = (pairs + TileSize - 1) / TileSize;
        int chunkTiles = Math.Max(1, (tiles + wanted - 1) / wanted);
        int chunk = chunkTiles * TileSize;
        return ((pairs + chunk - 1) / chunk, chunk);
    }

    private static void CheckConvolution(FeatureMatrix input, FeatureMatrix weights, RuleBook rules, FeatureMatrix output)
    {
        if (input.Rows != rules.InputRows || output.Rows != rules.OutputRows)
            throw new ArgumentException($"Convolution: {rules} does not match {input.Rows} input rows and {output.Rows} output rows.");
        CheckShape(weights, rules.FilterVolume * input.Columns, output.Columns, "Convolution weights");
    }

    private sealed class ConvolutionLaunchers(Accelerator a)
    {
        public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, int, int, int> Forward { get; } =
            a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, int, int, int>(ConvolutionKernels.GatherGemmScatter);

        public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, int, int, int, int> WeightGradientPartial { get; } =
            a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, int, int, int, int>(ConvolutionKernels.WeightGradientPartial);

        public Action<Index1D, ArrayView<float>, int, int, ArrayView<float>> WeightGradientReduce { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, int, ArrayView<float>>(ConvolutionKernels.WeightGradientReduce);

        public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> TransposeTaps { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(ConvolutionKernels.TransposeTaps);

        public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> SumTaps { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(ConvolutionKernels.SumTaps);

        public Action<Index1D, ArrayView<float>, ArrayView<float>, int> BroadcastTapsAdd { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ConvolutionKernels.BroadcastTapsAdd);

        public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int, int> MatMulAdd { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int, int>(ConvolutionKernels.MatMulAdd);
    }
}
