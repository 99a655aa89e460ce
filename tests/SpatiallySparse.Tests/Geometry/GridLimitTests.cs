using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Geometry;

/// <summary>Site keys (sample times volume plus linear index) must fit 64 bits: grids and batches past that are refused by name.</summary>
[TestFixture]
public sealed class GridLimitTests
{
    // 2^63 - 1 = 7^2 * 73 * 127 * 337 * 92737 * 649657.
    private static readonly int[] AtTheLimit = [3577, 42799, 92737, 649657];

    [Test]
    public void AGridAtTheLimitWorks()
    {
        SpatialSize size = new(AtTheLimit);
        Assert.That(size.Volume, Is.EqualTo(SpatialSize.MaxVolume));
        SparseInput input = new(1, 4, 1);
        input.Add(0, [3576, 42798, 92736, 649656], 1f);
        input.Add(0, [0, 0, 0, 0], 2f);
        using Tape tape = new();
        SparseTensor x = new InputLayer(size).Forward(input, CpuBackend.Shared, tape);
        Assert.That(x.Grid.LinearIndexOfRow.ToArray(), Is.EqualTo(new[] { 0L, long.MaxValue - 1 }));
    }

    [Test]
    public void AGridPastTheLimitThrowsNamingSizeAndLimit()
    {
        ArgumentException? e = Assert.Throws<ArgumentException>(() => _ = new SpatialSize(3577, 42799, 92737, 649658));
        Assert.That(e!.Message, Does.Contain("3577x42799x92737x649658").And.Contain("9,223,372,036,854,775,807"));
        e = Assert.Throws<ArgumentException>(() => _ = SpatialSize.Cube(3, 2_097_152));
        Assert.That(e!.Message, Does.Contain("2097152x2097152x2097152").And.Contain("limit"));
    }

    [Test]
    public void ABatchPastTheLimitThrowsNamingSizeBatchAndLimit()
    {
        SpatialSize size = SpatialSize.Cube(3, 1_000_000);
        InputLayer layer = new(size);
        foreach (int batch in new[] { 9, 10 })
        {
            SparseInput input = new(batch, 3, 1);
            for (int b = 0; b < batch; b++)
                input.Add(b, [999_999, 999_999, 999_999 - b], 1f);
            using Tape tape = new();
            if (batch == 9)
            {
                SparseTensor x = layer.Forward(input, CpuBackend.Shared, tape);
                Assert.That(x.Grid.SampleOffsets.ToArray(), Is.EqualTo(Enumerable.Range(0, 10).ToArray()), "one site per sample, none merged");
                continue;
            }
            ArgumentException? e = Assert.Throws<ArgumentException>(() => layer.Forward(input, CpuBackend.Shared, tape));
            Assert.That(e!.Message, Does.Contain("batch of 10").And.Contain("1000000x1000000x1000000").And.Contain("9,223,372,036,854,775,807").And.Contain("at most 9 samples"));
        }
    }
}
