using NUnit.Framework;
using SpatiallySparse.Data;

namespace SpatiallySparse.Tests.Data;

[TestFixture]
public sealed class SparseBatchLoaderTests
{
    [TestCase(AugmentationScope.Sample)]
    [TestCase(AugmentationScope.Batch)]
    public void SameBatchesForAnyWorkerCountAndDepth(AugmentationScope scope)
    {
        using SparseBatchLoader reference = new(LoaderData.Options(1, 1, scope));
        List<string> expected = LoaderData.Epoch(reference, 2);
        Assert.That(expected, Has.Count.EqualTo(5), "23 samples in batches of 5: the last one smaller");
        Assert.That(expected.Distinct().Count(), Is.EqualTo(5));
        foreach ((int workers, int ahead) in new[] { (2, 1), (4, 1), (1, 3), (2, 3), (4, 3) })
        {
            using SparseBatchLoader loader = new(LoaderData.Options(workers, ahead, scope));
            Assert.That(LoaderData.Epoch(loader, 2), Is.EqualTo(expected), $"{workers} workers, {ahead} ahead");
            Assert.That(loader.LiveBatches, Is.Zero);
        }
    }

    [Test]
    public void EpochsShuffleDifferentlyAndEverySampleAppearsOnce()
    {
        using SparseBatchLoader loader = new(LoaderData.Options(2, 2));
        int[] Order(int epoch) => [.. loader.Epoch(epoch).SelectMany(b => { using (b) return b.Indices; })];
        Assert.That(Order(0).Order(), Is.EqualTo(Enumerable.Range(0, 23)));
        Assert.That(Order(1), Is.Not.EqualTo(Order(0)));
        Assert.That(Order(1), Is.EqualTo(BatchSeeds.EpochOrder(7, 1, 23)));
    }

    [Test]
    public void PerSampleAugmentationDependsOnlyOnTheSampleNotItsBatchOrSlot()
    {
        Dictionary<int, string> PointsBySample(bool shuffle, int batchSize)
        {
            SparseBatchLoaderOptions o = LoaderData.Options(2, 2);
            using SparseBatchLoader loader = new(new SparseBatchLoaderOptions
            {
                SampleCount = o.SampleCount, BatchSize = batchSize, GridSize = o.GridSize, Channels = o.Channels,
                AddSample = o.AddSample, Backend = o.Backend, Seed = o.Seed, Shuffle = shuffle,
            });
            Dictionary<int, string> points = [];
            foreach (SparseBatch batch in loader.Epoch(4))
            {
                using (batch)
                {
                    int[] slots = batch.Input.Samples.ToArray(), coordinates = batch.Input.Coordinates.ToArray();
                    for (int slot = 0; slot < batch.Count; slot++)
                        points[batch.Indices[slot]] = string.Join(",", Enumerable.Range(0, slots.Length).Where(p => slots[p] == slot).Select(p => $"{coordinates[2 * p]}:{coordinates[2 * p + 1]}"));
                }
            }
            return points;
        }

        Dictionary<int, string> inOrder = PointsBySample(shuffle: false, batchSize: 5);
        Assert.That(PointsBySample(shuffle: true, batchSize: 4), Is.EquivalentTo(inOrder));
        Assert.That(inOrder.Values.Distinct().Count(), Is.GreaterThan(15), "samples differ");
    }

    [Test]
    public void ResumingFromBatchKGivesTheTailOfTheFullEpoch()
    {
        using SparseBatchLoader loader = new(LoaderData.Options(2, 2));
        List<string> full = LoaderData.Epoch(loader, 3);
        for (int k = 0; k <= full.Count; k++)
            Assert.That(LoaderData.Epoch(loader, 3, k), Is.EqualTo(full.Skip(k)), $"resumed at batch {k}");
    }

    [Test]
    public void BreakingOutEarlyDisposesEveryBuiltBatchAndStopsTheWorkers()
    {
        using SparseBatchLoader loader = new(LoaderData.Options(2, 3, samples: 60));
        SparseBatch? first = null;
        foreach (SparseBatch batch in loader.Epoch(0))
        {
            first = batch;
            // Let the workers fill the ring (first + 3 ahead) so that the break has built batches to dispose.
            Assert.That(SpinWait.SpinUntil(() => loader.LiveBatches == 4, TimeSpan.FromSeconds(30)), Is.True, "workers prefetch 3 batches");
            Assert.That(loader.LiveWorkers, Is.EqualTo(2));
            break;
        }
        Assert.That(loader.LiveWorkers, Is.Zero, "no worker thread left running");
        Assert.That(loader.LiveBatches, Is.EqualTo(1), "only the batch the consumer holds");
        Assert.That(first!.IsDisposed, Is.False);
        Assert.That(first.Tensor.ActiveCount, Is.Positive, "the consumer's batch is still usable");
        first.Dispose();
        Assert.That(loader.LiveBatches, Is.Zero);
        Assert.That(() => first.Tensor.GetFeatures(), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void DisposingTheLoaderStopsItsEnumeration()
    {
        SparseBatchLoader loader = new(LoaderData.Options(2, 2, samples: 60));
        using IEnumerator<SparseBatch> batches = loader.Epoch(0).GetEnumerator();
        Assert.That(batches.MoveNext(), Is.True);
        using SparseBatch held = batches.Current;
        loader.Dispose();
        Assert.That(loader.LiveWorkers, Is.Zero);
        Assert.That(loader.LiveBatches, Is.EqualTo(1));
        Assert.That(() => batches.MoveNext(), Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(() => loader.Epoch(1), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void AWorkerExceptionSurfacesOnTheConsumerWithItsBatchIndex()
    {
        SparseBatchLoaderOptions options = LoaderData.Options(2, 2);
        using SparseBatchLoader loader = new(new SparseBatchLoaderOptions
        {
            SampleCount = options.SampleCount, BatchSize = options.BatchSize, GridSize = options.GridSize, Channels = options.Channels,
            Backend = options.Backend, Workers = 2, BatchesAhead = 2, Shuffle = false,
            AddSample = (input, slot, index, random) =>
            {
                if (index == 12)
                    throw new InvalidDataException("sample 12 is corrupt");
                LoaderData.AddSample(input, slot, index, random);
            },
        });
        List<int> delivered = [];
        SparseBatchException? error = Assert.Throws<SparseBatchException>(() =>
        {
            foreach (SparseBatch batch in loader.Epoch(0))
            {
                using (batch)
                    delivered.Add(batch.Index);
            }
        });
        Assert.That(delivered, Is.EqualTo(new[] { 0, 1 }), "batches before the failed one arrive");
        Assert.That(error!.BatchIndex, Is.EqualTo(2));
        Assert.That(error.InnerException, Is.InstanceOf<InvalidDataException>());
        Assert.That(error.Message, Does.Contain("batch 2").And.Contain("sample 12 is corrupt"));
        Assert.That(loader.LiveWorkers, Is.Zero);
        Assert.That(loader.LiveBatches, Is.Zero);
    }

    [TestCase("Workers", 0)]
    [TestCase("Workers", 65)]
    [TestCase("BatchesAhead", 0)]
    [TestCase("BatchSize", 0)]
    [TestCase("SampleCount", -1)]
    [TestCase("Channels", 0)]
    public void BadOptionsAreRejectedNamingTheSettingValueAndRange(string name, int value)
    {
        SparseBatchLoaderOptions o = LoaderData.Options(2, 2);
        SparseBatchLoaderOptions bad = new()
        {
            SampleCount = name == "SampleCount" ? value : o.SampleCount,
            BatchSize = name == "BatchSize" ? value : o.BatchSize,
            Channels = name == "Channels" ? value : o.Channels,
            Workers = name == "Workers" ? value : o.Workers,
            BatchesAhead = name == "BatchesAhead" ? value : o.BatchesAhead,
            GridSize = o.GridSize, AddSample = o.AddSample, Backend = o.Backend,
        };
        ArgumentOutOfRangeException? e = Assert.Throws<ArgumentOutOfRangeException>(() => new SparseBatchLoader(bad));
        Assert.That(e!.ParamName, Is.EqualTo(name));
        Assert.That(e.Message, Does.Contain($"is {value}").And.Contain("accepted: "));
    }

    [Test]
    public void BadStartBatchIsRejected()
    {
        using SparseBatchLoader loader = new(LoaderData.Options(1, 1));
        Assert.That(() => loader.Epoch(0, 6), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("accepted: 0..5"));
        Assert.That(() => loader.Epoch(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
