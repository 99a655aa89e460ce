using SpatiallySparse.Autograd;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Layers;

/// <summary>
/// What the convolution layers share: filter, channels, weights ((taps x Cin) x Cout, tap-major) and bias, and a
/// forward that runs <see cref="ConvolutionCore"/> on the rules each kind looks up. Not for user subclasses.
/// </summary>
public abstract class ConvolutionLayer : SparseModule, IFusesLeakyRelu
{
    private readonly int _dimension;

    private protected ConvolutionLayer(SpatialSize filterSize, int inputChannels, int outputChannels, bool bias, int? seed)
    {
        ArgumentNullException.ThrowIfNull(filterSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputChannels);
        _dimension = filterSize.Dimension;
        FilterSize = filterSize;
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        Weight = AddParameter("weight", (int)filterSize.Volume * inputChannels, outputChannels);
        Bias = bias ? AddParameter("bias", 1, outputChannels) : null;
        ResetOwnParameters(new Random(seed ?? Initialization.NextSeed()));
    }

    /// <summary>Filter extent per dimension.</summary>
    public SpatialSize FilterSize { get; }

    /// <summary>Input channels.</summary>
    public int InputChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutputChannels { get; }

    /// <summary>Weights, (taps x Cin) x Cout.</summary>
    public Parameter Weight { get; }

    /// <summary>Bias, 1 x Cout, or null.</summary>
    public Parameter? Bias { get; }

    private protected abstract GroundRule GroundRule { get; }

    /// <inheritdoc/>
    protected override SparseTensor ForwardCore(SparseTensor input, Tape tape) => Forward(input, tape, null);

    /// <summary>
    /// The forward with LeakyRelu(<paramref name="leakySlope"/>) (finite, &gt;= 0) fused into the output's last
    /// pass; null: none. <see cref="Sequential"/> uses it for a layer followed by a <see cref="LeakyRelu"/>.
    /// </summary>
    public SparseTensor Forward(SparseTensor input, Tape tape, float? leakySlope)
    {
        ConvolutionCore.CheckInput(this, input, InputChannels, _dimension);
        CheckBackend(Weight, input);
        (SparseGrid output, RuleBook rules) = Rules(input);
        return ConvolutionCore.Forward(input, Weight, Bias, rules, output, GroundRule, tape, leakySlope);
    }

    /// <summary>The output grid and the rulebook of this layer on <paramref name="input"/> (cached in its metadata).</summary>
    private protected abstract (SparseGrid Output, RuleBook Rules) Rules(SparseTensor input);

    /// <inheritdoc/>
    protected override void ResetOwnParameters(Random random) =>
        ConvolutionCore.Initialize(Weight, Bias, (int)FilterSize.Volume, InputChannels, OutputChannels, random);
}
