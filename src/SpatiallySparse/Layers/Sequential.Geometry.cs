using SpatiallySparse.Geometry;

namespace SpatiallySparse.Layers;

/// <summary>
/// Told after each piece <see cref="Sequential.BuildGeometry(SparseTensor, Span{double}, GeometryPieceBuilt?)"/> builds
/// ("rules", "transposed" or "table") of a layer with that input size and window, and the pair count of its rules.
/// </summary>
internal delegate void GeometryPieceBuilt(string piece, Module layer, SpatialSize inputSize, SpatialSize filter, SpatialSize stride, int pairs);

/// <summary>Building a batch's geometry ahead of its step.</summary>
public partial class Sequential
{
    /// <summary>
    /// Builds every rulebook this network's layers will ask for on <paramref name="x"/> (cached in its
    /// <see cref="Metadata"/>), and the views forward and backward build lazily, so the step itself does
    /// arithmetic only. A loader calls it on a worker thread while another batch trains. Returns the pair count.
    /// </summary>
    public long BuildGeometry(SparseTensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return BuildGeometry(x, default, null).Pairs;
    }

    /// <summary>
    /// <see cref="BuildGeometry(SparseTensor)"/>: pooling's neighbour table and that of a convolution fused with
    /// its pooling, the transposed rules of every convolution but the first (whose input needs no gradient).
    /// Returns the pair count and the convolutions' FLOPs on active pairs (forward, input gradient and weight
    /// gradient: 3 x 2 x Cin x Cout per pair); fills <paramref name="layerForwardFlops"/>, when given, with each
    /// layer's forward FLOPs and tells <paramref name="built"/> of each piece. Allocates nothing of its own.
    /// </summary>
    internal (long Pairs, double ConvolutionFlops) BuildGeometry(SparseTensor x, Span<double> layerForwardFlops, GeometryPieceBuilt? built) =>
        BuildGeometry(x.Metadata, x.SpatialSize, layerForwardFlops, built);

    private (long Pairs, double ConvolutionFlops) BuildGeometry(Metadata metadata, SpatialSize size, Span<double> layerForwardFlops, GeometryPieceBuilt? built)
    {
        long pairs = 0;
        double flops = 0;
        for (int i = 0; i < _modules.Count; i++)  // no enumerator: nothing but geometry allocates here
        {
            Module layer = _modules[i];
            (SpatialSize Filter, SpatialSize Stride)? window = layer switch
            {
                Convolution c => (c.FilterSize, c.Stride),
                Pooling p => (p.PoolSize, p.Stride),
                _ => null,
            };
            if (window is { } w)
            {
                // The layers' own lookup (not the public one, which marks rules as held by a caller), so the prebuilt
                // geometry is recycled with the batch like geometry the layers build themselves.
                RuleBook rules = metadata.LayerRules(RuleKind.Convolution, size, w.Filter, w.Stride).Rules;
                built?.Invoke("rules", layer, size, w.Filter, w.Stride, rules.PairCount);
                pairs += rules.PairCount;
                flops += BuildViews(i, layer, rules, size, w, layerForwardFlops, built);
            }
            else
                pairs += BuildNested(layer, metadata, size, built);
            if (layer is SparseModule sparse)
                size = sparse.OutputSpatialSize(size);
        }
        return (pairs, flops);
    }

    /// <summary>
    /// The rules of a layer that is not a convolution or pooling of this chain: a submanifold convolution's, a
    /// deconvolution's (with the transposed view its backward reads), and those of every layer inside a nested
    /// chain or skip connection (a U-Net's levels), each branch from the same input size. Returns the pair count.
    /// </summary>
    private static long BuildNested(Module layer, Metadata metadata, SpatialSize size, GeometryPieceBuilt? built)
    {
        switch (layer)
        {
            case SubmanifoldConvolution s:
                int submanifoldPairs = metadata.LayerRules(RuleKind.Submanifold, size, s.FilterSize, s.FilterSize).Rules.PairCount;
                built?.Invoke("rules", layer, size, s.FilterSize, s.FilterSize, submanifoldPairs);
                return submanifoldPairs;
            case Deconvolution d:
                RuleBook rules = metadata.LayerRules(RuleKind.Deconvolution, size, d.FilterSize, d.Stride).Rules;
                _ = rules.Transposed;
                built?.Invoke("rules", layer, size, d.FilterSize, d.Stride, rules.PairCount);
                return rules.PairCount;
            case Sequential chain:
                return chain.BuildGeometry(metadata, size, default, built).Pairs;
            case Residual or ConcatenateBranches:
                long pairs = 0;
                IReadOnlyList<Module> branches = layer.Children;
                for (int b = 0; b < branches.Count; b++)
                    pairs += branches[b] is Convolution or Pooling ? BuildBranchWindow(branches[b], metadata, size, built) : BuildNested(branches[b], metadata, size, built);
                return pairs;
            default:
                return 0;
        }
    }

    /// <summary>A lone convolution or pooling layer as a branch of a skip connection: its rules and the view its backward reads.</summary>
    private static long BuildBranchWindow(Module layer, Metadata metadata, SpatialSize size, GeometryPieceBuilt? built)
    {
        (SpatialSize filter, SpatialSize stride) = layer is Convolution c ? (c.FilterSize, c.Stride) : (((Pooling)layer).PoolSize, ((Pooling)layer).Stride);
        RuleBook rules = metadata.LayerRules(RuleKind.Convolution, size, filter, stride).Rules;
        if (layer is Convolution)
            _ = rules.Transposed;
        else
            _ = rules.NeighbourTable;
        built?.Invoke("rules", layer, size, filter, stride, rules.PairCount);
        return rules.PairCount;
    }

    /// <summary>The lazily built views of layer <paramref name="i"/>'s rules; returns its FLOPs (convolutions only).</summary>
    private double BuildViews(int i, Module layer, RuleBook rules, SpatialSize size, (SpatialSize Filter, SpatialSize Stride) w,
        Span<double> layerForwardFlops, GeometryPieceBuilt? built)
    {
        if (layer is not Convolution conv)
        {
            // Pooling walks the output-major table; builders that do not keep one build it on first use.
            _ = rules.NeighbourTable;
            built?.Invoke("table", layer, size, w.Filter, w.Stride, rules.PairCount);
            return 0;
        }
        double forward = 2.0 * rules.PairCount * conv.InputChannels * conv.OutputChannels;
        if (!layerForwardFlops.IsEmpty)
            layerForwardFlops[i] = forward;
        if (i > 0)
        {
            _ = rules.Transposed;
            built?.Invoke("transposed", layer, size, w.Filter, w.Stride, rules.PairCount);
        }
        if (ModulesInStep(i) == 3)
        {
            // Fused with its pooling, the convolution walks its output-major table instead of its pairs.
            _ = rules.NeighbourTable;
            built?.Invoke("table", layer, size, w.Filter, w.Stride, rules.PairCount);
        }
        return 3 * forward;
    }
}
