using SpatiallySparse.Autograd;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Layers;

/// <summary>
/// Deconvolution: the transpose of a strided convolution (filter f, stride s), from a coarse grid of size M to
/// a fine one of size (M - 1) s + f. Each active input site feeds the f^d output sites o s + t. Inactive inputs
/// contribute nothing and the output ground state is the bias (as in submanifold U-Nets, whose ground state
/// is zero). When the fine grid already exists in the batch metadata, its active set is reused.
/// </summary>
public sealed class Deconvolution : SparseModule, IFusesLeakyRelu
{
    private readonly int _dimension;

    /// <summary>A deconvolution with a cubic filter and stride.</summary>
    public Deconvolution(int dimension, int inputChannels, int outputChannels, int filterSize, int stride, bool bias = true, int? seed = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputChannels);
        _dimension = dimension;
        FilterSize = SpatialSize.Cube(dimension, filterSize);
        Stride = SpatialSize.Cube(dimension, stride);
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        Weight = AddParameter("weight", (int)FilterSize.Volume * inputChannels, outputChannels);
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

    /// <summary>Weights, (taps x Cin) x Cout: W_t maps an input site to output site o s + t.</summary>
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
        (SparseGrid output, RuleBook rules) = input.Metadata.GetDeconvolutionRules(input.SpatialSize, FilterSize, Stride);
        return ConvolutionCore.Forward(input, Weight, Bias, rules, output, GroundRule.Zero, tape, leakySlope);
    }

    /// <inheritdoc/>
    public override SpatialSize OutputSpatialSize(SpatialSize inputSize) => DeconvolutionRules.OutputSize(inputSize, FilterSize, Stride);

    /// <inheritdoc/>
    protected override void ResetOwnParameters(Random random) =>
        ConvolutionCore.Initialize(Weight, Bias, (int)FilterSize.Volume, InputChannels, OutputChannels, random);

    /// <summary>E.g. <c>Deconvolution 32->16 2x2/2</c>.</summary>
    public override string ToString() => $"Deconvolution {InputChannels}->{OutputChannels} {FilterSize}/{Stride}";
}
