using SpatiallySparse.Geometry;

namespace SpatiallySparse.Layers;

/// <summary>
/// Deconvolution: the transpose of a strided convolution (filter f, stride s), from a coarse grid of size M to
/// a fine one of size (M - 1) s + f. Each active input site feeds the f^d output sites o s + t. Inactive inputs
/// contribute nothing and the output ground state is the bias (as in submanifold U-Nets, whose ground state
/// is zero). When the fine grid already exists in the batch metadata, its active set is reused.
/// </summary>
public sealed class Deconvolution : ConvolutionLayer
{
    /// <summary>A deconvolution with a cubic filter and stride.</summary>
    public Deconvolution(int dimension, int inputChannels, int outputChannels, int filterSize, int stride, bool bias = true, int? seed = null)
        : base(SpatialSize.Cube(dimension, filterSize), inputChannels, outputChannels, bias, seed)
    {
        Stride = SpatialSize.Cube(dimension, stride);
    }

    /// <summary>Stride per dimension. (The weights' tap t maps an input site to output site o s + t.)</summary>
    public SpatialSize Stride { get; }

    private protected override GroundRule GroundRule => GroundRule.Zero;

    /// <inheritdoc/>
    public override SpatialSize OutputSpatialSize(SpatialSize inputSize) => DeconvolutionRules.OutputSize(inputSize, FilterSize, Stride);

    /// <summary>E.g. <c>Deconvolution 32->16 2x2/2</c>.</summary>
    public override string ToString() => $"Deconvolution {InputChannels}->{OutputChannels} {FilterSize}/{Stride}";

    private protected override (SparseGrid Output, RuleBook Rules) Rules(SparseTensor input) =>
        input.Metadata.LayerRules(RuleKind.Deconvolution, input.SpatialSize, FilterSize, Stride);
}
