using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends;

/// <summary>
/// The fused first block (convolution + leaky ReLU + max pooling) as the layers run it: by the backend when it is an
/// <see cref="IFusedConvolutionPoolingBackend"/>, else composed from the primitives, with the same values.
/// </summary>
internal static class FusedConvolutionPool
{
    /// <summary><see cref="IFusedConvolutionPoolingBackend.ConvolutionPoolForward"/> on any backend; the composition keeps the activated convolution.</summary>
    public static FeatureMatrix? Forward(ISparseBackend be, FeatureMatrix input, FeatureMatrix weights, FeatureMatrix start, FeatureMatrix convolutionGround,
        in ConvolutionPoolShape shape, FeatureMatrix output, bool keepForBackward) =>
        be is IFusedConvolutionPoolingBackend fused
            ? fused.ConvolutionPoolForward(input, weights, start, convolutionGround, shape, output, keepForBackward)
            : ComposeForward(be, input, weights, start, convolutionGround, shape, output, keepForBackward);

    /// <summary><see cref="IFusedConvolutionPoolingBackend.ConvolutionPoolBackward"/> on any backend, given what <see cref="Forward"/> kept.</summary>
    public static void Backward(ISparseBackend be, FeatureMatrix input, FeatureMatrix saved, FeatureMatrix weights, FeatureMatrix start,
        FeatureMatrix convolutionGround, in ConvolutionPoolShape shape, FeatureMatrix output, FeatureMatrix gradOutput, FeatureMatrix gradWeights,
        FeatureMatrix gradStart, FeatureMatrix gradConvolutionGround)
    {
        if (be is IFusedConvolutionPoolingBackend fused)
            fused.ConvolutionPoolBackward(input, saved, weights, start, convolutionGround, shape, output, gradOutput, gradWeights, gradStart, gradConvolutionGround);
        else
            ComposeBackward(be, input, saved, weights, start, convolutionGround, shape, output, gradOutput, gradWeights, gradStart, gradConvolutionGround);
    }

    /// <summary><see cref="IFusedConvolutionPoolingBackend.ConvolutionPoolForward"/> by the unfused ops of <paramref name="be"/>: the default, and a fusing backend's fallback.</summary>
    public static FeatureMatrix? ComposeForward(ISparseBackend be, FeatureMatrix input, FeatureMatrix weights, FeatureMatrix start,
        FeatureMatrix convolutionGround, in ConvolutionPoolShape shape, FeatureMatrix output, bool keepForBackward)
    {
        ArgumentNullException.ThrowIfNull(be);
        CheckForward(input, weights, start, convolutionGround, shape, output);
        FeatureMatrix conv = be.AllocateForOverwrite(shape.ConvolutionGrid.ActiveCount, output.Columns);
        FusedConvolution.ForwardFrom(be, start, shape.ConvolutionGrid, input, weights, shape.ConvolutionRules, conv, shape.LeakySlope);
        be.MaxPoolForward(conv, convolutionGround, shape.PoolRules, shape.PoolGrid, shape.IncludeGround, output);
        if (keepForBackward)
            return conv;
        conv.Dispose();
        return null;
    }

    /// <summary><see cref="IFusedConvolutionPoolingBackend.ConvolutionPoolBackward"/> by the unfused ops of <paramref name="be"/>, <paramref name="saved"/> being the activated convolution.</summary>
    public static void ComposeBackward(ISparseBackend be, FeatureMatrix input, FeatureMatrix saved, FeatureMatrix weights, FeatureMatrix start,
        FeatureMatrix convolutionGround, in ConvolutionPoolShape shape, FeatureMatrix output, FeatureMatrix gradOutput, FeatureMatrix gradWeights,
        FeatureMatrix gradStart, FeatureMatrix gradConvolutionGround)
    {
        ArgumentNullException.ThrowIfNull(be);
        CheckBackward(input, weights, start, convolutionGround, shape, output, gradOutput, gradWeights, gradStart, gradConvolutionGround);
        if (saved.Rows != shape.ConvolutionGrid.ActiveCount || saved.Columns != output.Columns)
            throw new ArgumentException($"Convolution + pooling backward: the kept convolution is {saved.Rows} x {saved.Columns}, expected {shape.ConvolutionGrid.ActiveCount} x {output.Columns}.");
        using FeatureMatrix gradConv = be.AllocateForOverwrite(saved.Rows, saved.Columns);
        be.MaxPoolBackward(saved, convolutionGround, shape.PoolRules, shape.PoolGrid, shape.IncludeGround, output, gradOutput, gradConv,
            gradConvolutionGround, overwriteGradInput: true);
        FusedConvolution.GradientInPlace(be, saved, gradConv, shape.LeakySlope);
        be.ConvolutionBackward(input, gradConv, weights, shape.ConvolutionRules, null, gradWeights);
        be.SumBySample(gradConv, shape.ConvolutionGrid, gradStart);
    }

    /// <summary>The checks every backend's <see cref="IFusedConvolutionPoolingBackend.ConvolutionPoolForward"/> makes before its own.</summary>
    public static void CheckForward(FeatureMatrix input, FeatureMatrix weights, FeatureMatrix start, FeatureMatrix convolutionGround,
        in ConvolutionPoolShape shape, FeatureMatrix output)
    {
        ArgumentNullException.ThrowIfNull(shape.ConvolutionRules);
        ArgumentNullException.ThrowIfNull(shape.ConvolutionGrid);
        ArgumentNullException.ThrowIfNull(shape.PoolRules);
        ArgumentNullException.ThrowIfNull(shape.PoolGrid);
        FusedConvolution.CheckFusedSlope(shape.LeakySlope);
        RuleBook conv = shape.ConvolutionRules, pool = shape.PoolRules;
        int cout = output.Columns, batch = shape.PoolGrid.BatchSize;
        if (input.Rows != conv.InputRows || weights.Rows != conv.FilterVolume * input.Columns || weights.Columns != cout)
            throw new ArgumentException($"Convolution + pooling: input {input.Rows} x {input.Columns} and weights {weights.Rows} x {weights.Columns} do not match {conv} and {cout} output channels.");
        if (conv.OutputRows != shape.ConvolutionGrid.ActiveCount || pool.InputRows != conv.OutputRows || pool.OutputRows != shape.PoolGrid.ActiveCount
            || output.Rows != pool.OutputRows || shape.ConvolutionGrid.BatchSize != batch)
            throw new ArgumentException($"Convolution + pooling: {conv} and {pool} do not chain into {output.Rows} output rows.");
        if (pool.PairCount != pool.InputRows)
            throw new ArgumentException($"Convolution + pooling needs windows that tile the convolution's output (each row in one window); {pool} does not.");
        CheckPerSample(start, batch, cout, "start");
        CheckPerSample(convolutionGround, batch, cout, "ground state");
    }

    /// <summary><see cref="CheckForward"/> and the gradients' shapes.</summary>
    public static void CheckBackward(FeatureMatrix input, FeatureMatrix weights, FeatureMatrix start, FeatureMatrix convolutionGround,
        in ConvolutionPoolShape shape, FeatureMatrix output, FeatureMatrix gradOutput, FeatureMatrix gradWeights, FeatureMatrix gradStart,
        FeatureMatrix gradConvolutionGround)
    {
        CheckForward(input, weights, start, convolutionGround, shape, output);
        if (gradOutput.Rows != output.Rows || gradOutput.Columns != output.Columns || gradWeights.Rows != weights.Rows || gradWeights.Columns != weights.Columns)
            throw new ArgumentException($"Convolution + pooling backward: gradients {gradOutput.Rows} x {gradOutput.Columns} and {gradWeights.Rows} x {gradWeights.Columns} do not match the output and the weights.");
        CheckPerSample(gradStart, start.Rows, start.Columns, "start gradient");
        CheckPerSample(gradConvolutionGround, start.Rows, start.Columns, "ground-state gradient");
    }

    private static void CheckPerSample(FeatureMatrix m, int batch, int channels, string what)
    {
        if (m.Rows != batch || m.Columns != channels)
            throw new ArgumentException($"Convolution + pooling {what}: expected {batch} x {channels}, got {m.Rows} x {m.Columns}.");
    }
}
