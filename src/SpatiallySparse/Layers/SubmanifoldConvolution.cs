using SpatiallySparse.Geometry;

namespace SpatiallySparse.Layers;

/// <summary>
/// Submanifold sparse convolution (Graham and van der Maaten 2017): odd filter, stride 1; the output active
/// set is the input active set and each active site sees only its active neighbours. The output ground state
/// is what a wholly inactive window gives, b + g · sum_t W_t.
/// </summary>
public sealed class SubmanifoldConvolution : ConvolutionLayer
{
    /// <summary>A submanifold convolution with a cubic filter.</summary>
    public SubmanifoldConvolution(int dimension, int inputChannels, int outputChannels, int filterSize, bool bias = true, int? seed = null)
        : base(SpatialSize.Cube(dimension, OddFilter(filterSize)), inputChannels, outputChannels, bias, seed)
    {
    }

    private protected override GroundRule GroundRule => GroundRule.ActiveOnly;

    /// <summary>E.g. <c>SubmanifoldConvolution 8->16 3x3</c>.</summary>
    public override string ToString() => $"SubmanifoldConvolution {InputChannels}->{OutputChannels} {FilterSize}";

    private protected override (SparseGrid Output, RuleBook Rules) Rules(SparseTensor input) =>
        (input.Grid, input.Metadata.LayerRules(RuleKind.Submanifold, input.SpatialSize, FilterSize, FilterSize).Rules);

    private static int OddFilter(int filterSize) => filterSize > 0 && filterSize % 2 == 1 ? filterSize
        : throw new ArgumentOutOfRangeException(nameof(filterSize), $"A submanifold convolution needs a positive odd filter size, got {filterSize}.");
}
