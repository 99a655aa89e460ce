using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends;

/// <summary>
/// A convolution followed by a leaky ReLU and a max pooling whose windows tile the convolution's output (each
/// convolution row in exactly one window, as 2x2/2 pooling): both rulebooks, both grids, whether partial windows
/// see the convolution's ground state, and the slope (finite, &gt;= 0).
/// </summary>
internal readonly record struct ConvolutionPoolShape(RuleBook ConvolutionRules, SparseGrid ConvolutionGrid, RuleBook PoolRules, SparseGrid PoolGrid,
    bool IncludeGround, float LeakySlope);

/// <summary>
/// Optional capability of a backend: a network's first block, convolution + leaky ReLU + max pooling, in one op
/// that never writes the convolution's output. Without it the layers compose the block from the primitives
/// (<see cref="FusedConvolutionPool"/>), with the same values. Internal while its shape contract is the CPU's.
/// </summary>
internal interface IFusedConvolutionPoolingBackend : ISparseBackend
{
    /// <summary>
    /// output = MaxPool(LeakyRelu(conv)), conv being the convolution of <paramref name="input"/> from the
    /// per-sample <paramref name="start"/> (batch x Cout); partial windows also see
    /// <paramref name="convolutionGround"/> (batch x Cout, the activated ground state) when the shape includes it.
    /// For first layers (few input channels, large grids), where writing and re-reading the convolution's output
    /// costs more than computing it. With <paramref name="keepForBackward"/>, returns what
    /// <see cref="ConvolutionPoolBackward"/> needs, in a layout of the backend's choosing (the caller disposes it);
    /// else null.
    /// </summary>
    FeatureMatrix? ConvolutionPoolForward(FeatureMatrix input, FeatureMatrix weights, FeatureMatrix start, FeatureMatrix convolutionGround,
        in ConvolutionPoolShape shape, FeatureMatrix output, bool keepForBackward);

    /// <summary>
    /// Backward of <see cref="ConvolutionPoolForward"/> given its <paramref name="output"/> and what it kept
    /// (<paramref name="saved"/>): each output gradient goes to the first window element equal to the output (as
    /// <see cref="ISparseBackend.MaxPoolBackward"/>), else to the ground state (<paramref name="gradConvolutionGround"/>,
    /// batch x Cout, accumulates, before the activation); the routed gradients times the leaky ReLU's slope make the
    /// convolution rows' gradients, which accumulate into <paramref name="gradWeights"/> and, summed per sample,
    /// into <paramref name="gradStart"/>. The input gets no gradient.
    /// </summary>
    void ConvolutionPoolBackward(FeatureMatrix input, FeatureMatrix saved, FeatureMatrix weights, FeatureMatrix start, FeatureMatrix convolutionGround,
        in ConvolutionPoolShape shape, FeatureMatrix output, FeatureMatrix gradOutput, FeatureMatrix gradWeights, FeatureMatrix gradStart,
        FeatureMatrix gradConvolutionGround);
}
