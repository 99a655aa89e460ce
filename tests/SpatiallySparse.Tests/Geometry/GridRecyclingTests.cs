using System.Buffers;
using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Data;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Tests.Data;

namespace SpatiallySparse.Tests.Geometry;

/// <summary>
/// Grid objects go back to a pool shared by every thread when their batch's metadata is disposed, so a grid must
/// reach the pool once, and only once nothing of its batch can free it again: a loader worker may rent it the
/// moment it is there. (A metadata used to recycle a grid at its first table entry and free it again at the next,
/// by then another batch's live grid: the loader's workers saw their new grids freed under them.)
/// </summary>
[TestFixture]
public sealed class GridRecyclingTests
{
    private static readonly SpatialSize Size = SpatialSize.Cube(2, 11);

    /// <summary>A pooled grid of two samples with a few sites each, as the input layer builds one.</summary>
    private static SparseGrid Grid()
    {
        long[] sites = [13, 14, 40, 77, 100, 5, 6, 60, 61, 120];
        long[] linear = ArrayPool<long>.Shared.Rent(sites.Length);
        sites.CopyTo(linear, 0);
        int[] offsets = SparseGrid.RentOffsets(2);
        (offsets[0], offsets[1], offsets[2]) = (0, 5, sites.Length);
        return SparseGrid.FromUnsorted(Size, 2, linear, offsets);
    }

    [Test]
    public void ALiveGridCannotBeRecycled()
    {
        SparseGrid grid = Grid();
        Assert.Throws<InvalidOperationException>(grid.Recycle);
        // Refusing leaves it intact and its owner's.
        Assert.That(grid.LinearIndexOfRow.ToArray(), Is.EqualTo(new long[] { 13, 14, 40, 77, 100, 5, 6, 60, 61, 120 }));
        grid.Release();
    }

    [Test]
    public void AGridCannotBeRecycledTwice()
    {
        SparseGrid grid = Grid();
        Assert.That(grid.ReleaseStorage(), Is.True);
        Assert.That(grid.ReleaseStorage(), Is.False, "only the first release frees the storage");
        grid.Recycle();
        Assert.Throws<InvalidOperationException>(grid.Recycle);
    }

    [Test]
    public void DisposingMetadataRecyclesEachOfItsGridsOnce()
    {
        // The 5x5 grid is in three entries: the strided convolution's output, the grid of its size and the
        // submanifold rules' output; the 2x2 grid in two.
        Metadata metadata = new(Grid());
        SparseGrid middle = metadata.LayerRules(RuleKind.Convolution, Size, SpatialSize.Cube(2, 3), SpatialSize.Cube(2, 2)).Output;
        metadata.LayerRules(RuleKind.Submanifold, middle.Size, SpatialSize.Cube(2, 3), SpatialSize.Cube(2, 3));
        SparseGrid last = metadata.LayerRules(RuleKind.Convolution, middle.Size, SpatialSize.Cube(2, 3), SpatialSize.Cube(2, 2)).Output;
        Assert.That((middle.Size, last.Size), Is.EqualTo((SpatialSize.Cube(2, 5), SpatialSize.Cube(2, 2))));
        metadata.Dispose();

        List<SparseGrid> pooled = [];
        while (RecyclePool<SparseGrid>.TryRent() is { } grid)
            pooled.Add(grid);
        try
        {
            Assert.That(pooled.Count(g => ReferenceEquals(g, middle)), Is.EqualTo(1));
            Assert.That(pooled.Count(g => ReferenceEquals(g, last)), Is.EqualTo(1));
            Assert.That(pooled.Distinct(ReferenceEqualityComparer.Instance).Count(), Is.EqualTo(pooled.Count));
            Assert.Throws<InvalidOperationException>(middle.Recycle, "a pooled grid refuses a second return");
        }
        finally
        {
            // Back for the other tests' warm steps (still marked as pooled, as they were).
            foreach (SparseGrid grid in pooled)
                RecyclePool<SparseGrid>.Return(grid);
        }
    }

    /// <summary>
    /// The race itself: workers building many small batches' geometry from recycled grids while the consumer runs
    /// each batch and disposes it. Before the fix this failed within a few dozen batches (a worker's grid freed by
    /// the consumer's disposal of an earlier batch: ObjectDisposedException from the rules builders).
    /// </summary>
    [Test]
    public void LoaderWorkersBuildGeometryWhileTheConsumerDisposesBatches()
    {
        Sequential net = DeepCNet.Create(new DeepCNetOptions { L = 3, K = 4, InputChannels = 2, Classes = LoaderData.Classes, Seed = 2 });
        net.To(CpuBackend.Shared);
        SparseBatchLoaderOptions o = LoaderData.Options(workers: 3, ahead: 6, AugmentationScope.Sample, samples: 1200, batch: 2);
        using SparseBatchLoader loader = new(new SparseBatchLoaderOptions
        {
            SampleCount = o.SampleCount, BatchSize = o.BatchSize, GridSize = o.GridSize, Channels = o.Channels, AddSample = o.AddSample,
            Label = o.Label, Backend = o.Backend, Workers = o.Workers, BatchesAhead = o.BatchesAhead, Augmentation = o.Augmentation,
            Seed = o.Seed, Network = net,
        });
        int batches = 0;
        foreach (SparseBatch batch in loader.Epoch(0))
        {
            using (batch)
            {
                using Tape tape = new(recordGradients: false);
                Tensor y = net.Forward(batch.Tensor, tape);
                Assert.That(y.Features.Rows, Is.EqualTo(batch.Count));
            }
            batches++;
        }
        Assert.That(batches, Is.EqualTo(600));
        Assert.That(loader.LiveBatches, Is.Zero);
    }
}
