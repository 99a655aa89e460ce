using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends;

/// <summary>
/// A convolution followed by a leaky ReLU and a max pooling whose windows tile the convolution's output (each
/// convolution row in exactly one window, as 2x2/2 pooling): both rulebooks, both grids, whether partial windows
/// see the convolution's ground state, and the slope (finite, &gt;= 0).
/// </summary>
public readonly record struct ConvolutionPoolShape(RuleBook ConvolutionRules, SparseGrid ConvolutionGrid, RuleBook PoolRules, SparseGrid PoolGrid,
    bool IncludeGround, float LeakySlope);

public partial interface ISparseBackend
{
    /// <summary>
    /// output = MaxPool(LeakyRelu(conv)), conv being <see cref="ConvolutionForwardFrom"/> of <paramref name="input"/>
    /// from the per-sample <paramref name="start"/> (batch x Cout); partial windows also see
    /// <paramref name="convolutionGround"/> (batch x Cout, the activated ground state) when the shape includes it.
    /// For first layers (few input channels, large grids), where writing and re-reading the convolution's output
    /// costs more than computing it: a fusing backend never writes it. With <paramref name="keepForBackward"/>,
    /// returns what <see cref="ConvolutionPoolBackward"/> needs, in a layout of the backend's choosing (the
    /// caller disposes it); else null. This default composes the unfused ops and keeps the convolution's output.
    /// </summary>
    FeatureMatrix? ConvolutionPoolForward(FeatureMatrix input, FeatureMatrix weights, FeatureMatrix start, FeatureMatrix convolutionGround,
        in ConvolutionPoolShape shape, FeatureMatrix output, bool keepForBackward) =>
        ComposeConvolutionPoolForward(this, input, weights, start, convolutionGround, shape, output, keepForBackward);

    /// <summary>
    /// Backward of <see cref="ConvolutionPoolForward"/> given its <paramref name="output"/> and what it kept
    /// (<paramref name="saved"/>): each output gradient goes to the first window element equal to the output (as
    /// <see cref="MaxPoolBackward"/>), else to the ground state (<paramref name="gradConvolutionGround"/>, batch x
    /// Cout, accumulates, before the activation); the routed gradients times the leaky ReLU's slope make the
    /// convolution rows' gradients, which accumulate into <paramref name="gradWeights"/> and, summed per sample,
    /// into <paramref name="gradStart"/>. The input gets no gradient.
    /// </summary>
    void ConvolutionPoolBackward(FeatureMatrix input, FeatureMatrix saved, FeatureMatrix weights, FeatureMatrix start, FeatureMatrix convolutionGround,
        in ConvolutionPoolShape shape, FeatureMatrix output, FeatureMatrix gradOutput, FeatureMatrix gradWeights, FeatureMatrix gradStart,
        FeatureMatrix gradConvolutionGround) =>
        ComposeConvolutionPoolBackward(this, input, saved, weights, start, convolutionGround, shape, output, gradOutput, gradWeights, gradStart,
            gradConvolutionGround);

    /// <summary><see cref="ConvolutionPoolForward"/> by the unfused ops of <paramref name="be"/>: the default, and a fusing backend's fallback.</summary>
    public static FeatureMatrix? ComposeConvolutionPoolForward(ISparseBackend be, FeatureMatrix input, FeatureMatrix weights, FeatureMatrix start,
        FeatureMatrix convolutionGround, in ConvolutionPoolShape shape, FeatureMatrix output, bool keepForBackward)
    {
        ArgumentNullException.ThrowIfNull(be);
        CheckConvolutionPool(input, weights, start, convolutionGround, shape, output);
        FeatureMatrix conv = be.AllocateForOverwrite(shape.ConvolutionGrid.ActiveCount, output.Columns);
        be.ConvolutionForwardFrom(start, shape.ConvolutionGrid, input, weights, shape.ConvolutionRules, conv, shape.LeakySlope);
        be.MaxPoolForward(conv, convolutionGround, shape.PoolRules, shape.PoolGrid, shape.IncludeGround, output);
        if (keepForBackward)
            return conv;
        conv.Dispose();
        return null;
    }

    /// <summary><see cref="ConvolutionPoolBackward"/> by the unfused ops of <paramref name="be"/>, <paramref name="saved"/> being the activated convolution.</summary>
    public static void ComposeConvolutionPoolBackward(ISparseBackend be, FeatureMatrix input, FeatureMatrix saved, FeatureMatrix weights, FeatureMatrix start,
        FeatureMatrix convolutionGround, in ConvolutionPoolShape shape, FeatureMatrix output, FeatureMatrix gradOutput, FeatureMatrix gradWeights,
        FeatureMatrix gradStart, FeatureMatrix gradConvolutionGround)
    {
        ArgumentNullException.ThrowIfNull(be);
        CheckConvolutionPoolBackward(input, weights, start, convolutionGround, shape, output, gradOutput, gradWeights, gradStart, gradConvolutionGround);
        if (saved.Rows != shape.ConvolutionGrid.ActiveCount || saved.Columns != output.Columns)
            throw new ArgumentException($"Convolution + pooling backward: the kept convolution is {saved.Rows} x {saved.Columns}, expected {shape.ConvolutionGrid.ActiveCount} x {output.Columns}.");
        using FeatureMatrix gradConv = be.AllocateForOverwrite(saved.Rows, saved.Columns);
        be.MaxPoolBackward(saved, convolutionGround, shape.PoolRules, shape.PoolGrid, shape.IncludeGround, output, gradOutput, gradConv,
            gradConvolutionGround, overwriteGradInput: true);
        be.LeakyReluGradientInPlace(saved, gradConv, shape.LeakySlope);
        be.ConvolutionBackward(input, gradConv, weights, shape.ConvolutionRules, null, gradWeights);
        be.SumBySample(gradConv, shape.ConvolutionGrid, gradStart);
    }

    /// <summary>The checks every backend's <see cref="ConvolutionPoolForward"/> makes before its own.</summary>
    public static void CheckConvolutionPool(FeatureMatrix input, FeatureMatrix weights, FeatureMatrix start, FeatureMatrix convolutionGround,
        in ConvolutionPoolShape shape, FeatureMatrix output)
    {
        ArgumentNullException.ThrowIfNull(shape.ConvolutionRules);
        ArgumentNullException.ThrowIfNull(shape.ConvolutionGrid);
        ArgumentNullException.ThrowIfNull(shape.PoolRules);
        ArgumentNullException.ThrowIfNull(shape.PoolGrid);
        CheckFusedSlope(shape.LeakySlope);
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

    /// <summary><see cref="CheckConvolutionPool"/> and the gradients' shapes.</summary>
    public static void CheckConvolutionPoolBackward(FeatureMatrix input, FeatureMatrix weights, FeatureMatrix start, FeatureMatrix convolutionGround,
        in ConvolutionPoolShape shape, FeatureMatrix output, FeatureMatrix gradOutput, FeatureMatrix gradWeights, FeatureMatrix gradStart,
        FeatureMatrix gradConvolutionGround)
    {
        CheckConvolutionPool(input, weights, start, convolutionGround, shape, output);
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
