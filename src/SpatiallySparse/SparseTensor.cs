using System.Diagnostics.CodeAnalysis;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Geometry;

namespace SpatiallySparse;

/// <summary>
/// A batch of sparse samples on a grid: the active sites (<see cref="Grid"/>, shared geometry in
/// <see cref="Metadata"/>), their features (one row per active site, one column per channel) and, for each
/// sample, the ground-state feature vector held by every inactive site (Graham 2014).
/// </summary>
public sealed class SparseTensor : Tensor
{
    private SparseGrid _grid;

    /// <summary>Creates a tensor; it takes ownership of <paramref name="features"/> and <paramref name="ground"/>.</summary>
    public SparseTensor(Metadata metadata, SparseGrid grid, FeatureMatrix features, FeatureMatrix ground, bool groundIsZero)
        : base(features)
    {
        Check(metadata, grid, features, ground);
        Assign(metadata, grid, ground, groundIsZero);
        grid.Exposed = true;  // the caller passed it in, so holds it
    }

    private SparseTensor(FeatureMatrix features)
        : base(features)
    {
        _grid = null!;  // Create assigns every field
        Metadata = null!;
        Ground = null!;
    }

    /// <summary>The constructor's tensor for the library's layers (which keep its grid private): a recycled object when one is free.</summary>
    internal static SparseTensor Create(Metadata metadata, SparseGrid grid, FeatureMatrix features, FeatureMatrix ground, bool groundIsZero)
    {
        Check(metadata, grid, features, ground);
        SparseTensor? y = RecyclePool<SparseTensor>.TryRent();
        if (y is null)
            y = new SparseTensor(features);
        else
            y.Reinitialize(features);
        y.Assign(metadata, grid, ground, groundIsZero);
        return y;
    }

    [MemberNotNull(nameof(_grid), nameof(Metadata), nameof(Ground))]
    private void Assign(Metadata metadata, SparseGrid grid, FeatureMatrix ground, bool groundIsZero) =>
        (Metadata, _grid, GuardGeneration, Ground, GroundIsZero, GroundGrad, OwnsMetadata) = (metadata, grid, grid.Generation, ground, groundIsZero, null, false);

    private static void Check(Metadata metadata, SparseGrid grid, FeatureMatrix features, FeatureMatrix ground)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(ground);
        if (features.Rows != grid.ActiveCount)
            throw new ArgumentException($"{features.Rows} feature rows for {grid.ActiveCount} active sites.");
        if (ground.Rows != grid.BatchSize || ground.Columns != features.Columns)
            throw new ArgumentException($"Ground state must be {grid.BatchSize} x {features.Columns}, got {ground.Rows} x {ground.Columns}.");
        // Every backend call on this batch's geometry goes through one of its tensors, so this is where a backend
        // that may keep grids or rulebooks (the GPU one caches them by identity) is seen in time to stop their recycling.
        if (features.Backend is not CpuBackend)
            metadata.KeepGeometry();
    }

    /// <summary>True for an input tensor its caller owns (from a tape-free <see cref="Layers.InputLayer"/> forward): disposing it frees the batch's geometry.</summary>
    internal bool OwnsMetadata { get => OwnsMetadataFlag; set => OwnsMetadataFlag = value; }

    /// <summary>Geometry shared by every tensor of this batch (grids and cached rulebooks).</summary>
    public Metadata Metadata { get; private set; }

    /// <summary>The active sites.</summary>
    public SparseGrid Grid
    {
        get
        {
            // The grid may have been recycled for another batch if its metadata was freed first (by another tape).
            _grid.ThrowIfRecycled(GuardGeneration);
            return _grid;
        }
    }

    /// <summary>Spatial size of the grid.</summary>
    public SpatialSize SpatialSize => Grid.Size;

    /// <summary>Number of samples.</summary>
    public int BatchSize => Grid.BatchSize;

    /// <summary>Number of active sites over the batch.</summary>
    public int ActiveCount => Grid.ActiveCount;

    /// <summary>Ground state per sample, BatchSize x Channels: the value of every inactive site.</summary>
    public FeatureMatrix Ground { get; private set; }

    /// <summary>True when the ground state is known to be exactly zero (input tensors), which lets layers skip work.</summary>
    public bool GroundIsZero { get; private set; }

    /// <summary>Gradient with respect to <see cref="Ground"/> (the sum over all inactive sites), once backward produced one.</summary>
    public FeatureMatrix? GroundGrad { get; private set; }

    internal FeatureMatrix GroundGradOrCreate() => GroundGrad ??= Backend.Allocate(Ground.Rows, Ground.Columns);

    /// <summary>Features per active site, row-major, on the host.</summary>
    public float[] GetFeatures() => Features.ToArray();

    /// <summary>Ground state per sample, row-major, on the host.</summary>
    public float[] GetGround() => Ground.ToArray();

    /// <summary>Shape, e.g. <c>SparseTensor(batch 100, 94x94, 8123 active, 32 channels)</c>.</summary>
    public override string ToString() => GuardGeneration != _grid.Generation ? "SparseTensor(of a freed batch)"
        : $"SparseTensor(batch {BatchSize}, {SpatialSize}, {ActiveCount} active, {Channels} channels)";

    /// <inheritdoc/>
    public override void Dispose()
    {
        if (Disposed)
            return;
        bool recycle = Recyclable;
        // A tensor a caller could see keeps its grid out of recycling; the metadata, freed after the step's
        // tensors, then releases it without recycling. (A grid already recycled is left alone.)
        if (!recycle && GuardGeneration == _grid.Generation)
            _grid.Exposed = true;
        Free(Ground);
        Free(GroundGrad);
        base.Dispose();
        if (OwnsMetadata)
            Metadata.Dispose();
        if (!recycle)
            return;
        GroundGrad = null;
        RecyclePool<SparseTensor>.Return(this);
    }
}
