using SpatiallySparse.Autograd;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Layers;

/// <summary>
/// Graham's sparse convolution without padding: filter f, stride s (stride 1: "valid"). An output site is
/// active when any input site of its window is active; inactive outputs take the layer's ground state.
/// Inactive inputs hold the input ground state, so the result equals the dense convolution of the full grid
/// exactly. Weights are (f^d x Cin) x Cout, tap-major.
/// </summary>
public sealed class Convolution : SparseModule, IFusesLeakyRelu
{
    private readonly int _dimension;

    /// <summary>A convolution with a cubic filter and stride.</summary>
    public Convolution(int dimension, int inputChannels, int outputChannels, int filterSize, int stride = 1, bool bias = true, int? seed = null)
        : this(SpatialSize.Cube(dimension, filterSize), SpatialSize.Cube(dimension, stride), inputChannels, outputChannels, bias, seed)
    {
    }

    /// <summary>A convolution with any filter and stride shape.</summary>
    public Convolution(SpatialSize filterSize, SpatialSize stride, int inputChannels, int outputChannels, bool bias = true, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(filterSize);
        ArgumentNullException.ThrowIfNull(stride);
        if (stride.Dimension != filterSize.Dimension)
            throw new ArgumentException($"Stride {stride} and filter {filterSize} differ in dimension.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputChannels);
        _dimension = filterSize.Dimension;
        FilterSize = filterSize;
        Stride = stride;
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        Weight = AddParameter("weight", (int)filterSize.Volume * inputChannels, outputChannels);
        Bias = bias ? AddParameter("bias", 1, outputChannels) : null;
        ResetOwnParameters(new Random(seed ?? Initialization.NextSeed()));
    }

    /// <summary>Filter extent per dimension.</summary>
    public SpatialSize FilterSize { get; }

    /// <summary>Stride per dimension.</summary>
    public SpatialSize Stride { get; }

    /// <summary>Input channels.</summary>
    public int InputChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutputChannels { get; }

    /// <summary>Weights, (taps x Cin) x Cout.</summary>
    public Parameter Weight { get; }

    /// <summary>Bias, 1 x Cout, or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override SparseTensor Forward(SparseTensor input, Tape tape) => Forward(input, tape, null);

    /// <summary>
    /// The forward with LeakyRelu(<paramref name="leakySlope"/>) (finite, &gt;= 0) fused into the output's last
    /// pass; null: none. <see cref="Sequential"/> uses it for a layer followed by a <see cref="LeakyRelu"/>.
    /// </summary>
    public SparseTensor Forward(SparseTensor input, Tape tape, float? leakySlope)
    {
        ConvolutionCore.CheckInput(this, input, InputChannels, _dimension);
        CheckBackend(Weight, input);
        (SparseGrid output, RuleBook rules) = input.Metadata.GetConvolutionRules(input.SpatialSize, FilterSize, Stride);
        return ConvolutionCore.Forward(input, Weight, Bias, rules, output, GroundRule.Exact, tape, leakySlope);
    }

    /// <inheritdoc/>
    public override SpatialSize OutputSpatialSize(SpatialSize inputSize) => ConvolutionRules.OutputSize(inputSize, FilterSize, Stride);

    /// <inheritdoc/>
    protected override void ResetOwnParameters(Random random) =>
        ConvolutionCore.Initialize(Weight, Bias, (int)FilterSize.Volume, InputChannels, OutputChannels, random);

    /// <summary>E.g. <c>Convolution 32->64 3x3/1</c>.</summary>
    public override string ToString() => $"Convolution {InputChannels}->{OutputChannels} {FilterSize}/{Stride}";
}
