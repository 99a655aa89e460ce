using SpatiallySparse.Autograd;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Layers;

/// <summary>
/// Submanifold sparse convolution (Graham and van der Maaten 2017): odd filter, stride 1; the output active
/// set is the input active set and each active site sees only its active neighbours. The output ground state
/// is what a wholly inactive window gives, b + g · sum_t W_t.
/// </summary>
public sealed class SubmanifoldConvolution : SparseModule, IFusesLeakyRelu
{
    private readonly int _dimension;

    /// <summary>A submanifold convolution with a cubic filter.</summary>
    public SubmanifoldConvolution(int dimension, int inputChannels, int outputChannels, int filterSize, bool bias = true, int? seed = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputChannels);
        if (filterSize <= 0 || filterSize % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(filterSize), $"A submanifold convolution needs a positive odd filter size, got {filterSize}.");
        _dimension = dimension;
        FilterSize = SpatialSize.Cube(dimension, filterSize);
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        Weight = AddParameter("weight", (int)FilterSize.Volume * inputChannels, outputChannels);
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
        RuleBook rules = input.Metadata.GetSubmanifoldRules(input.SpatialSize, FilterSize);
        return ConvolutionCore.Forward(input, Weight, Bias, rules, input.Grid, GroundRule.ActiveOnly, tape, leakySlope);
    }

    /// <inheritdoc/>
    protected override void ResetOwnParameters(Random random) =>
        ConvolutionCore.Initialize(Weight, Bias, (int)FilterSize.Volume, InputChannels, OutputChannels, random);

    /// <summary>E.g. <c>SubmanifoldConvolution 8->16 3x3</c>.</summary>
    public override string ToString() => $"SubmanifoldConvolution {InputChannels}->{OutputChannels} {FilterSize}";
}
