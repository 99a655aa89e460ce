using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Data;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;

namespace SpatiallySparse.Tests.Data;

/// <summary>
/// Batches and their geometry built on loader workers while the main thread trains on earlier batches share
/// every static pool (recycled grids, rulebooks, tensors, matrices, tape lists, metadata tables) with that
/// training: the losses must be those of building each batch on the main thread.
/// </summary>
[TestFixture]
public sealed class ConcurrentTrainingTests
{
    private const int Seed = 5, Samples = 48, BatchSize = 6, Epochs = 2;

    [Test]
    public void TrainingOnLoaderBatchesGivesTheLossesOfMainThreadBatches()
    {
        float[] expected = TrainOnMainThread();
        Assert.That(expected.Distinct().Count(), Is.GreaterThan(1));
        Assert.That(TrainOnLoader(workers: 2, ahead: 2), Is.EqualTo(expected), "2 workers");
        Assert.That(TrainOnLoader(workers: 4, ahead: 4), Is.EqualTo(expected), "4 workers, 4 ahead");
    }

    private static (Sequential Net, Sgd Sgd) Model()
    {
        Sequential net = DeepCNet.Create(new DeepCNetOptions { L = 3, K = 8, InputChannels = 2, Classes = LoaderData.Classes, Seed = 2 });
        net.To(CpuBackend.Shared);
        return (net, new Sgd(net.Parameters(), 0.05f, momentum: 0.9f));
    }

    private static float Step(Sequential net, Sgd sgd, SparseTensor x, int[] labels)
    {
        using Tape tape = new();
        LossResult loss = SoftmaxCrossEntropy.Compute((DenseTensor)net.Forward(x, tape), labels, tape);
        sgd.ZeroGrad();
        tape.Backward();
        sgd.Step();
        return loss.Value;
    }

    /// <summary>The reference: order, seeds and points written out by hand, the batch built in the step's own tape.</summary>
    private static float[] TrainOnMainThread()
    {
        (Sequential net, Sgd sgd) = Model();
        InputLayer inputLayer = new(SpatialSize.Cube(2, LoaderData.Side));
        List<float> losses = [];
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            int[] order = BatchSeeds.EpochOrder(Seed, epoch, Samples);
            for (int b = 0; b < Samples / BatchSize; b++)
            {
                int[] indices = order[(b * BatchSize)..((b + 1) * BatchSize)];
                Random random = new(BatchSeeds.Mix(Seed, epoch, b));
                SparseInput input = new(BatchSize, 2, 2);
                for (int slot = 0; slot < BatchSize; slot++)
                    LoaderData.AddSample(input, slot, indices[slot], random);
                using Tape batchTape = new(recordGradients: false);
                losses.Add(Step(net, sgd, inputLayer.Forward(input, CpuBackend.Shared, batchTape), [.. indices.Select(LoaderData.Label)]));
            }
        }
        return [.. losses];
    }

    private static float[] TrainOnLoader(int workers, int ahead)
    {
        (Sequential net, Sgd sgd) = Model();
        SparseBatchLoaderOptions o = LoaderData.Options(workers, ahead, AugmentationScope.Batch, Samples, BatchSize);
        using SparseBatchLoader loader = new(new SparseBatchLoaderOptions
        {
            SampleCount = o.SampleCount, BatchSize = o.BatchSize, GridSize = o.GridSize, Channels = o.Channels, AddSample = o.AddSample,
            Label = o.Label, Backend = o.Backend, Workers = workers, BatchesAhead = ahead, Augmentation = AugmentationScope.Batch,
            Seed = Seed, Network = net,
        });
        List<float> losses = [];
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            foreach (SparseBatch batch in loader.Epoch(epoch))
            {
                using (batch)
                    losses.Add(Step(net, sgd, batch.Tensor, batch.Labels!));
            }
        }
        Assert.That(loader.LiveBatches, Is.Zero);
        return [.. losses];
    }
}
