using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Data;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Distributed.Tests;

/// <summary>The loader's shards: together, the batches of one process with the summed batch size.</summary>
[TestFixture]
public sealed class ShardingTests
{
    [TestCase(23, 3, 2, false)]
    [TestCase(30, 5, 3, true)]
    public void ShardsTogetherHoldTheSingleProcessBatchInSlotOrder(int samples, int batch, int shards, bool dropLast)
    {
        List<int[]> single = Indices(Options(samples, batch * shards, 1, 0, dropLast));
        List<List<int[]>> parts = [.. Enumerable.Range(0, shards).Select(r => Indices(Options(samples, batch, shards, r, dropLast)))];
        Assert.That(parts.Select(p => p.Count), Is.All.EqualTo(single.Count));
        for (int b = 0; b < single.Count; b++)
            Assert.That(parts.SelectMany(p => p[b]), Is.EqualTo(single[b]), $"batch {b}");
        Assert.That(parts[0][0], Has.Length.EqualTo(batch));
    }

    [Test]
    public void AnEmptyShardIsRefusedWithTheCounts()
    {
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => Options(21, 5, 4, 0, false).Validate())!;
        Assert.That(e.Message, Does.Contain("last batch of 1 samples for 4 shards"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Options(20, 5, 2, 2, false).Validate());
    }

    private static SparseBatchLoaderOptions Options(int samples, int batch, int shards, int rank, bool dropLast) => new()
    {
        SampleCount = samples, BatchSize = batch, GridSize = SpatialSize.Cube(2, 8), Channels = 1,
        AddSample = (input, slot, index, random) => input.Add(slot, [index % 8, random.Next(8)], 1f),
        Backend = CpuBackend.Shared, Seed = 3, DropLast = dropLast, ShardCount = shards, ShardIndex = rank,
    };

    private static List<int[]> Indices(SparseBatchLoaderOptions options)
    {
        using SparseBatchLoader loader = new(options);
        List<int[]> batches = [];
        foreach (SparseBatch batch in loader.Epoch(1))
            using (batch)
                batches.Add(batch.Indices);
        return batches;
    }
}
