using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
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

    /// <summary>
    /// This convolution, LeakyRelu(<paramref name="leakySlope"/>) and <paramref name="pool"/> in one op
    /// (<see cref="ConvolutionPoolCore"/>) where it applies: an input with a zero ground state that needs no
    /// gradient (a network's input) and a pool that <see cref="ConvolutionPoolCore.Fits"/>; else the three layers.
    /// </summary>
    internal SparseTensor ForwardPooled(SparseTensor input, Tape tape, float leakySlope, MaxPooling pool)
    {
        if (!input.GroundIsZero || input.NeedsGradient || !ConvolutionPoolCore.Fits(this, pool))
        {
            // Only the pooling below ever sees the convolution's output, so freeing the step may recycle it.
            SparseTensor activated = Forward(input, tape, leakySlope);
            activated.Recyclable = true;
            return pool.Forward(activated, tape);
        }
        ConvolutionCore.CheckInput(this, input, InputChannels, FilterSize.Dimension);
        CheckBackend(Weight, input);
        FusedConvolution.CheckFusedSlope(leakySlope);
        return ConvolutionPoolCore.Forward(input, this, Rules(input), leakySlope, pool, tape);
    }

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
