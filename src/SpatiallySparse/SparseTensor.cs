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
    /// <summary>Creates a tensor; it takes ownership of <paramref name="features"/> and <paramref name="ground"/>.</summary>
    public SparseTensor(Metadata metadata, SparseGrid grid, FeatureMatrix features, FeatureMatrix ground, bool groundIsZero)
        : base(features)
    {
        Check(metadata, grid, features, ground);
        (Metadata, Grid, Ground, GroundIsZero) = (metadata, grid, ground, groundIsZero);
    }

    /// <summary>The constructor's tensor for the library's layers: a recycled object when one is free.</summary>
    internal static SparseTensor Create(Metadata metadata, SparseGrid grid, FeatureMatrix features, FeatureMatrix ground, bool groundIsZero)
    {
        if (RecyclePool<SparseTensor>.TryRent() is not { } y)
            return new SparseTensor(metadata, grid, features, ground, groundIsZero);
        Check(metadata, grid, features, ground);
        y.Reinitialize(features);
        (y.Metadata, y.Grid, y.Ground, y.GroundIsZero, y.GroundGrad) = (metadata, grid, ground, groundIsZero, null);
        return y;
    }

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
        // that may keep rulebooks (the GPU one caches them by identity) is seen in time to stop their recycling.
        if (features.Backend is not CpuBackend)
            metadata.KeepGeometry();
    }

    /// <summary>Geometry shared by every tensor of this batch (grids and cached rulebooks).</summary>
    public Metadata Metadata { get; private set; }

    /// <summary>The active sites.</summary>
    public SparseGrid Grid { get; private set; }

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
    public override string ToString() => $"SparseTensor(batch {BatchSize}, {SpatialSize}, {ActiveCount} active, {Channels} channels)";

    /// <inheritdoc/>
    public override void Dispose()
    {
        if (Disposed)
            return;
        bool recycle = Recyclable;
        Free(Ground);
        Free(GroundGrad);
        base.Dispose();
        if (!recycle)
            return;
        GroundGrad = null;
        RecyclePool<SparseTensor>.Return(this);
    }
}
