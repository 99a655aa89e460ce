using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Tests.Serialization;

/// <summary>
/// A tiny DeepCNet(2, 4) with dropout, trained on random sparse strokes drawn from a generator of its own: every
/// random draw of a step comes from state a checkpoint saves.
/// </summary>
internal sealed class TinyRun : IDisposable
{
    private readonly CpuBackend _backend = new(1);
    private readonly InputLayer _input = new(new SpatialSize(12, 12), DuplicateMode.Sum);

    public TinyRun(int seed, bool adam = false)
    {
        Network = DeepCNet.Create(new DeepCNetOptions { L = 2, K = 4, Classes = 3, DropoutRates = [0f, .3f, .3f, .5f], Seed = seed });
        Optimizer = adam ? new AdamW(Network.Parameters(), LearningRateSchedule.Exponential(0.01f, 0.01))
            : new Sgd(Network.Parameters(), LearningRateSchedule.Exponential(0.05f, 0.01), momentum: 0.9f);
        Data = new SeededRandom(seed + 1000);
    }

    public Sequential<SparseTensor, DenseTensor> Network { get; }

    public Optimizer Optimizer { get; }

    public SeededRandom Data { get; }

    public CheckpointManager Checkpoints(string folder, string lr = "0.05") =>
        new(folder, Network, Optimizer, new Dictionary<string, string> { ["network"] = "DeepCNet(2, 4)", ["lr"] = lr });

    public List<float> Train(int steps)
    {
        List<float> losses = [];
        for (int step = 0; step < steps; step++)
        {
            SparseInput input = new(4, 2, 1);
            int[] labels = new int[4];
            for (int b = 0; b < 4; b++)
            {
                labels[b] = Data.Next(3);
                for (int i = 0; i < 10; i++)
                    input.Add(b, [Data.Next(12), Data.Next(12)], 1f + labels[b]);
            }
            using Tape tape = new();
            DenseTensor logits = Network.Forward(_input.Forward(input, _backend, tape), tape);
            LossResult loss = SoftmaxCrossEntropy.Compute(logits, labels, tape);
            Optimizer.ZeroGrad();
            tape.Backward();
            Optimizer.Step();
            losses.Add(loss.Value);
        }
        return losses;
    }

    public float[][] Weights() => [.. Network.Parameters().Select(p => p.GetValues())];

    public void Dispose()
    {
        Optimizer.Dispose();
        Network.Dispose();
        _backend.Dispose();
    }
}
