namespace SpatiallySparse.Geometry;

/// <summary>
/// Geometry shared by every tensor derived from one input batch: the active-site grid per spatial size and
/// the rulebooks between them. Each rulebook is built on first request and reused by later layers and by
/// backward (SparseConvNet's <c>Metadata</c>). Convolutions, pooling layers with the same filter and stride,
/// submanifold convolutions and deconvolutions coexist as long as each spatial size has one active set.
/// </summary>
public sealed class Metadata
{
    private readonly Dictionary<SpatialSize, SparseGrid> _grids = [];
    private readonly Dictionary<RuleBookKey, (SparseGrid Output, RuleBook Rules)> _rules = [];
    private readonly Lock _lock = new();

    /// <summary>Creates metadata whose input grid is <paramref name="inputGrid"/>.</summary>
    public Metadata(SparseGrid inputGrid)
    {
        ArgumentNullException.ThrowIfNull(inputGrid);
        BatchSize = inputGrid.BatchSize;
        Dimension = inputGrid.Size.Dimension;
        _grids[inputGrid.Size] = inputGrid;
    }

    /// <summary>Number of samples in the batch.</summary>
    public int BatchSize { get; }

    /// <summary>Number of spatial dimensions.</summary>
    public int Dimension { get; }

    /// <summary>Number of rulebooks built so far (a diagnostic: it stops growing once a network has run once).</summary>
    public int RuleBookCount
    {
        get { lock (_lock) return _rules.Count; }
    }

    /// <summary>The active set at <paramref name="size"/>, if any layer has produced one.</summary>
    public SparseGrid? GridAt(SpatialSize size)
    {
        lock (_lock)
            return _grids.GetValueOrDefault(size);
    }

    /// <summary>
    /// Rulebook and output grid of a valid (stride 1) or strided convolution or pooling window, built once.
    /// </summary>
    public (SparseGrid Output, RuleBook Rules) GetConvolutionRules(SpatialSize inputSize, SpatialSize filterSize, SpatialSize stride) =>
        GetOrBuild(new RuleBookKey(RuleKind.Convolution, inputSize, filterSize, stride),
            input => ConvolutionRules.Build(input, filterSize, stride));

    /// <summary>Rulebook of a submanifold convolution (odd filter, output active set = input active set), built once.</summary>
    public RuleBook GetSubmanifoldRules(SpatialSize size, SpatialSize filterSize) =>
        GetOrBuild(new RuleBookKey(RuleKind.Submanifold, size, filterSize, SpatialSize.Cube(size.Dimension, 1)),
            input => (input, SubmanifoldRules.Build(input, filterSize))).Rules;

    /// <summary>
    /// Rulebook and output grid of a deconvolution (transposed strided convolution), built once. When the
    /// fine grid already exists in this metadata (an encoder produced it), it is reused as the output active
    /// set, as in U-Nets; otherwise every site reached from an active input becomes active.
    /// </summary>
    public (SparseGrid Output, RuleBook Rules) GetDeconvolutionRules(SpatialSize inputSize, SpatialSize filterSize, SpatialSize stride) =>
        GetOrBuild(new RuleBookKey(RuleKind.Deconvolution, inputSize, filterSize, stride),
            input => DeconvolutionRules.Build(input, filterSize, stride, GridAt(DeconvolutionRules.OutputSize(inputSize, filterSize, stride))));

    private (SparseGrid Output, RuleBook Rules) GetOrBuild(RuleBookKey key, Func<SparseGrid, (SparseGrid, RuleBook)> build)
    {
        lock (_lock)
        {
            if (_rules.TryGetValue(key, out (SparseGrid, RuleBook) cached))
                return cached;
            if (!_grids.TryGetValue(key.InputSize, out SparseGrid? input))
                throw new InvalidOperationException($"No active sites exist at spatial size {key.InputSize} in this batch's metadata.");
            if (key.FilterSize.Dimension != Dimension || key.Stride.Dimension != Dimension)
                throw new ArgumentException($"Filter {key.FilterSize} / stride {key.Stride} must have {Dimension} dimensions like the input {key.InputSize}.");
            (SparseGrid output, RuleBook rules) = build(input);
            _grids.TryAdd(output.Size, output);
            _rules[key] = (output, rules);
            return (output, rules);
        }
    }
}
