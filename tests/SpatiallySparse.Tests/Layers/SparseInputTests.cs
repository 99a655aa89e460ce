using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Layers;

[TestFixture]
public sealed class SparseInputTests
{
    [Test]
    public void AClearedBatchRefillsLikeANewOne()
    {
        SparseInput reused = new(2, 2, 1);
        reused.Add(0, [1, 1], 5f);
        reused.Add(1, [2, 3], 6f);
        reused.Clear();
        Assert.That(reused.PointCount, Is.Zero);
        SparseInput fresh = new(2, 2, 1);
        foreach (SparseInput batch in (SparseInput[])[reused, fresh])
        {
            // Unsorted, so the input layer sorts.
            batch.Add(1, [0, 2], 1f);
            batch.Add(0, [3, 3], 2f);
            batch.Add(0, [1, 0], 3f);
        }
        using Tape tape = new();
        InputLayer layer = new(new SpatialSize(4, 4));
        SparseTensor a = layer.Forward(reused, CpuBackend.Shared, tape), b = layer.Forward(fresh, CpuBackend.Shared, tape);
        Assert.That(a.GetFeatures(), Is.EqualTo(b.GetFeatures()).And.EqualTo(new[] { 3f, 2f, 1f }));
        Assert.That(a.Grid.LinearIndexOfRow.ToArray(), Is.EqualTo(b.Grid.LinearIndexOfRow.ToArray()).And.EqualTo(new long[] { 4, 15, 2 }));
        Assert.That(a.Grid.SampleOffsets.ToArray(), Is.EqualTo(new[] { 0, 2, 3 }));
    }
}
