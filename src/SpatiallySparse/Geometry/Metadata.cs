namespace SpatiallySparse.Geometry;

/// <summary>
/// Geometry shared by every tensor derived from one input batch: the active-site grid per spatial size and
/// the rulebooks between them. Each rulebook is built on first request and reused by later layers and by
/// backward (SparseConvNet's <c>Metadata</c>). Convolutions, pooling layers with the same filter and stride,
/// submanifold convolutions and deconvolutions coexist as long as each spatial size has one active set.
/// Grids and rulebooks keep their arrays in the shared array pool; <see cref="Dispose"/> gives them back (the
/// input layer lets the step's tape own the metadata), so a training loop reuses the same storage every batch.
/// </summary>
public sealed class Metadata : IDisposable
{
    // The lock is the tables this metadata rented: no lock object per batch. A later batch may rent the same
    // tables after this one is disposed; the two then merely share a lock, and this one's methods throw anyway.
    private readonly Tables _lock;
    private Tables? _tables;
    private bool _keepGeometry;

    /// <summary>Creates metadata whose input grid is <paramref name="inputGrid"/>.</summary>
    public Metadata(SparseGrid inputGrid)
    {
        ArgumentNullException.ThrowIfNull(inputGrid);
        _lock = _tables = Tables.Rent();
        BatchSize = inputGrid.BatchSize;
        Dimension = inputGrid.Size.Dimension;
        inputGrid.Exposed = true;  // the input tensor's grid, which its caller sees
        _tables.Grids[inputGrid.Size] = inputGrid;
    }

    /// <summary>Number of samples in the batch.</summary>
    public int BatchSize { get; }

    /// <summary>Number of spatial dimensions.</summary>
    public int Dimension { get; }

    /// <summary>Number of rulebooks built so far (a diagnostic: it stops growing once a network has run once).</summary>
    public int RuleBookCount
    {
        get { lock (_lock) return Live.Rules.Count; }
    }

    /// <summary>The active set at <paramref name="size"/>, if any layer has produced one.</summary>
    public SparseGrid? GridAt(SpatialSize size)
    {
        lock (_lock)
        {
            SparseGrid? grid = Live.Grids.GetValueOrDefault(size);
            if (grid is not null)
                grid.Exposed = true;  // the caller may keep it: never recycled
            return grid;
        }
    }

    /// <summary>
    /// Rulebook and output grid of a valid (stride 1) or strided convolution or pooling window, built once.
    /// </summary>
    public (SparseGrid Output, RuleBook Rules) GetConvolutionRules(SpatialSize inputSize, SpatialSize filterSize, SpatialSize stride) =>
        GetOrBuild(new RuleBookKey(RuleKind.Convolution, inputSize, filterSize, stride), expose: true);

    /// <summary>Rulebook of a submanifold convolution (odd filter, output active set = input active set), built once.</summary>
    public RuleBook GetSubmanifoldRules(SpatialSize size, SpatialSize filterSize) =>
        // Submanifold rules have no stride; the filter fills the key's slot so a lookup allocates nothing.
        GetOrBuild(new RuleBookKey(RuleKind.Submanifold, size, filterSize, filterSize), expose: true).Rules;

    /// <summary>
    /// Rulebook and output grid of a deconvolution (transposed strided convolution), built once. When the
    /// fine grid already exists in this metadata (an encoder produced it), it is reused as the output active
    /// set, as in U-Nets; otherwise every site reached from an active input becomes active.
    /// </summary>
    public (SparseGrid Output, RuleBook Rules) GetDeconvolutionRules(SpatialSize inputSize, SpatialSize filterSize, SpatialSize stride) =>
        GetOrBuild(new RuleBookKey(RuleKind.Deconvolution, inputSize, filterSize, stride), expose: true);

    /// <summary>
    /// The rules of <paramref name="kind"/> for one of the library's layers (submanifold: the filter as stride),
    /// built once: the public methods' result without handing the rulebook to a caller, so that disposing the
    /// metadata may recycle the object (see <see cref="KeepGeometry"/>).
    /// </summary>
    internal (SparseGrid Output, RuleBook Rules) LayerRules(RuleKind kind, SpatialSize inputSize, SpatialSize filterSize, SpatialSize stride) =>
        GetOrBuild(new RuleBookKey(kind, inputSize, filterSize, stride), expose: false);

    /// <summary>
    /// Keeps every grid and rulebook object out of recycling: a backend other than the CPU one sees this batch's
    /// geometry, and may keep it (the GPU backend caches device copies by object identity).
    /// </summary>
    internal void KeepGeometry() => _keepGeometry = true;

    /// <summary>Gives every grid's and rulebook's storage back to the pool; using them afterwards throws.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            Tables? tables = _tables;
            if (tables is null)
                return;
            _tables = null;
            // Objects no caller or foreign backend can hold go back to the pools for later batches' geometry. A grid
            // is reached through several entries (a convolution's output is also a grid by size and the input and
            // output of submanifold rules), so grids are only freed here and recycled once every entry is done: a
            // grid recycled at its first entry may be rented at once by a loader worker building another batch, and
            // its next entry here would then free that batch's live grid (and recycle it a second time).
            List<SparseGrid> freed = tables.Freed;
            foreach ((SparseGrid output, RuleBook rules) in tables.Rules.Values)
            {
                // Each rulebook sits in one entry only (its transposed view in none), so it may go back at once.
                rules.Release(recycle: !_keepGeometry && !rules.Exposed);
                // Also frees a grid whose size another layer's grid already held; true only at the grid's first entry.
                if (output.ReleaseStorage())
                    freed.Add(output);
            }
            foreach (SparseGrid grid in tables.Grids.Values)
                if (grid.ReleaseStorage())
                    freed.Add(grid);
            foreach (SparseGrid grid in freed)
                if (!_keepGeometry && !grid.Exposed)
                    grid.Recycle();
            tables.Return();
        }
    }

    /// <summary>The tables of a metadata not yet disposed.</summary>
    private Tables Live => _tables ?? throw new ObjectDisposedException(nameof(Metadata));

    /// <summary>
    /// Most threads this batch's geometry may use: the thread count of the backend the input layer uploaded it to
    /// (0: no cap beyond the building thread's <see cref="GeometryThreads"/>).
    /// </summary>
    internal int ThreadCap { get; set; }

    /// <summary>Builds the rules of <paramref name="key"/> under <see cref="ThreadCap"/>.</summary>
    private (SparseGrid Output, RuleBook Rules) Build(RuleBookKey key, SparseGrid input, Dictionary<SpatialSize, SparseGrid> grids)
    {
        int saved = GeometryThreads.Lower(ThreadCap);
        try
        {
            (SparseGrid output, RuleBook rules) = key.Kind switch
            {
                RuleKind.Convolution => ConvolutionRules.Build(input, key.FilterSize, key.Stride),
                RuleKind.Submanifold => (input, SubmanifoldRules.Build(input, key.FilterSize)),
                _ => DeconvolutionRules.Build(input, key.FilterSize, key.Stride,
                    grids.GetValueOrDefault(DeconvolutionRules.OutputSize(key.InputSize, key.FilterSize, key.Stride))),
            };
            rules.ThreadCap = ThreadCap;
            return (output, rules);
        }
        finally
        {
            GeometryThreads.Limit = saved;
        }
    }

    /// <summary>The rules of <paramref name="key"/>, built on first request; <paramref name="expose"/>: a caller may keep them.</summary>
    private (SparseGrid Output, RuleBook Rules) GetOrBuild(RuleBookKey key, bool expose)
    {
        lock (_lock)
        {
            (Dictionary<SpatialSize, SparseGrid> grids, Dictionary<RuleBookKey, (SparseGrid, RuleBook)> rulebooks) = Live;
            if (rulebooks.TryGetValue(key, out (SparseGrid Output, RuleBook Rules) cached))
            {
                cached.Rules.Exposed |= expose;
                cached.Output.Exposed |= expose;
                return cached;
            }
            if (!grids.TryGetValue(key.InputSize, out SparseGrid? input))
                throw new InvalidOperationException($"No active sites exist at spatial size {key.InputSize} in this batch's metadata.");
            if (key.FilterSize.Dimension != Dimension || key.Stride.Dimension != Dimension)
                throw new ArgumentException($"Filter {key.FilterSize} / stride {key.Stride} must have {Dimension} dimensions like the input {key.InputSize}.");
            (SparseGrid output, RuleBook rules) = Build(key, input, grids);
            grids.TryAdd(output.Size, output);
            rules.Exposed = expose;
            output.Exposed |= expose;
            rulebooks[key] = (output, rules);
            return (output, rules);
        }
    }

    /// <summary>
    /// A batch's two lookup tables, recycled through a few static slots: emptied dictionaries keep their
    /// capacity, so after the first batches a new metadata allocates no tables.
    /// </summary>
    private sealed record Tables(Dictionary<SpatialSize, SparseGrid> Grids, Dictionary<RuleBookKey, (SparseGrid Output, RuleBook Rules)> Rules)
    {
        /// <summary>Scratch of <see cref="Dispose"/>: each grid it freed, once, to recycle after every entry is freed.</summary>
        public List<SparseGrid> Freed { get; } = new(16);

        // A few batches may be alive at once (a training step and an evaluation, a prefetched batch).
        private static readonly Tables?[] Free = new Tables?[8];

        public static Tables Rent()
        {
            for (int i = 0; i < Free.Length; i++)
                if (Interlocked.Exchange(ref Free[i], null) is { } tables)
                    return tables;
            // Sized for a deep network up front: growing them would allocate again.
            return new Tables(new(16), new(16));
        }

        public void Return()
        {
            Grids.Clear();
            Rules.Clear();
            Freed.Clear();
            for (int i = 0; i < Free.Length; i++)
                if (Interlocked.CompareExchange(ref Free[i], this, null) is null)
                    return;
        }
    }
}
