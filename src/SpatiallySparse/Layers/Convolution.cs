using SpatiallySparse.Geometry;

namespace SpatiallySparse.Layers;

/// <summary>
/// Graham's sparse convolution without padding: filter f, stride s (stride 1: "valid"). An output site is
/// active when any input site of its window is active; inactive outputs take the layer's ground state.
/// Inactive inputs hold the input ground state, so the result equals the dense convolution of the full grid
/// exactly. Weights are (f^d x Cin) x Cout, tap-major.
/// </summary>
public sealed class Convolution : ConvolutionLayer
{
    /// <summary>A convolution with a cubic filter and stride.</summary>
    public Convolution(int dimension, int inputChannels, int outputChannels, int filterSize, int stride = 1, bool bias = true, int? seed = null)
        : this(SpatialSize.Cube(dimension, filterSize), SpatialSize.Cube(dimension, stride), inputChannels, outputChannels, bias, seed)
    {
    }

    /// <summary>A convolution with any filter and stride shape.</summary>
    public Convolution(SpatialSize filterSize, SpatialSize stride, int inputChannels, int outputChannels, bool bias = true, int? seed = null)
        : base(Checked(filterSize, stride), inputChannels, outputChannels, bias, seed)
    {
        Stride = stride;
    }

    /// <summary>Stride per dimension.</summary>
    public SpatialSize Stride { get; }

    private protected override GroundRule GroundRule => GroundRule.Exact;

    /// <inheritdoc/>
    public override SpatialSize OutputSpatialSize(SpatialSize inputSize) => ConvolutionRules.OutputSize(inputSize, FilterSize, Stride);

    /// <summary>E.g. <c>Convolution 32->64 3x3/1</c>.</summary>
    public override string ToString() => $"Convolution {InputChannels}->{OutputChannels} {FilterSize}/{Stride}";

    private protected override (SparseGrid Output, RuleBook Rules) Rules(SparseTensor input) =>
        input.Metadata.LayerRules(RuleKind.Convolution, input.SpatialSize, FilterSize, Stride);

    private static SpatialSize Checked(SpatialSize filterSize, SpatialSize stride)
    {
        ArgumentNullException.ThrowIfNull(filterSize);
        ArgumentNullException.ThrowIfNull(stride);
        return stride.Dimension == filterSize.Dimension ? filterSize
            : throw new ArgumentException($"Stride {stride} and filter {filterSize} differ in dimension.");
    }
}
