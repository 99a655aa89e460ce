using System.Buffers;
using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Geometry;

/// <summary>Disposing a batch's metadata never frees a grid that another batch took from the recycle pool meanwhile.</summary>
[TestFixture]
public sealed class MetadataRecyclingTests
{
    [Test]
    public void AGridListedTwiceIsReleasedOnceSoABatchThatRecycledItKeepsIt()
    {
        // Found by the soak (docs/reliability.md): a grid listed twice in the tables went back to the pool at its
        // first release; a loader worker rented and refilled it; the second release freed the worker's grid.
        // Here a release hook plays the worker, between the two listings: it builds a grid as the input layer does.
        // The grids reach the pool only once the whole dispose is done, so the worker gets another object.
        SparseInput points = new(1, 2, 1);
        for (int i = 0; i < 6; i++)
            points.Add(0, [i, (i * 3) % 8], 1f);
        Tape tape = new(recordGradients: false);
        SparseTensor x = new InputLayer(new SpatialSize(8, 8)).Forward(points, CpuBackend.Shared, tape);
        (SparseGrid pooled, RuleBook _) = x.Metadata.LayerRules(RuleKind.Convolution, x.SpatialSize, SpatialSize.Cube(2, 2), SpatialSize.Cube(2, 2));
        RuleBook submanifold = x.Metadata.LayerRules(RuleKind.Submanifold, pooled.Size, SpatialSize.Cube(2, 3), SpatialSize.Cube(2, 3)).Rules;
        SparseGrid? worker = null;
        submanifold.OnRelease(() =>
        {
            long[] linear = ArrayPool<long>.Shared.Rent(1);
            linear[0] = 5;
            int[] offsets = SparseGrid.RentOffsets(1);
            (offsets[0], offsets[1]) = (0, 1);
            worker = SparseGrid.Create(new SpatialSize(4, 4), 1, linear, 1, offsets);
        });

        tape.Dispose();

        Assert.That(worker, Is.Not.SameAs(pooled), "a grid the dispose still lists is not in the pool yet");
        Assert.That(worker!.LinearIndexOfRow.ToArray(), Is.EqualTo(new long[] { 5 }), "the other batch's grid still holds its sites");
        worker.Release();
    }
}
