using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Data;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;

namespace SpatiallySparse.Distributed.Worker;

/// <summary>Network, optimiser, sharded loader and (under MPI) the data-parallel wrapper of one process.</summary>
internal sealed class TrainingSetup : IDisposable
{
    private readonly DistributedSession? _session;
    private readonly CpuBackend _backend;
    private readonly SparseBatchLoader _loader;
    private readonly Sgd _sgd;
    private readonly IEnumerator<SparseBatch> _batches;
    private readonly int[] _predictions = new int[4096];

    public TrainingSetup(WorkerOptions options, DistributedSession? session, int l = 3, int k = 8)
    {
        _session = session;
        l = options.Int("l", l);
        k = options.Int("k", k);
        int batch = options.Int("batch", 50), side = DeepCNet.InputSide(l);
        _backend = new CpuBackend(options.Int("threads", 1));
        Network = options.Flag("bn") ? NormalisedNet(l, k) : DeepCNet.Create(new DeepCNetOptions { L = l, K = k, Seed = 1 });
        Network.To(_backend);
        if (session is not null)
        {
            // Different data on each rank: its dropout masks must differ too.
            foreach (Module m in Flatten(Network).Where(m => m is IReseedable))
                ((IReseedable)m).Reseed(1000 + session.Rank);
            Parallel = new DistributedDataParallel(Network, session, new DistributedOptions { Overlap = options.Text("overlap", "true") == "true" });
        }
        _sgd = new Sgd(Network.Parameters(), 0.01f, momentum: 0.9f);
        _loader = new SparseBatchLoader(new SparseBatchLoaderOptions
        {
            SampleCount = 20000, BatchSize = batch, GridSize = SpatialSize.Cube(2, side), Channels = 1,
            AddSample = (input, slot, index, _) => Strokes.Add(input, slot, index, side), Label = Strokes.Label,
            Backend = _backend, Seed = 5, DropLast = true, Workers = 1, Network = Network,
            ShardCount = session?.WorldSize ?? 1, ShardIndex = session?.Rank ?? 0,
        });
        _batches = _loader.Epoch(0).GetEnumerator();
    }

    public Sequential<SparseTensor, DenseTensor> Network { get; }

    public DistributedDataParallel? Parallel { get; }

    public SparseBatch NextBatch(int step) => _batches.MoveNext() ? _batches.Current : throw new InvalidOperationException($"The epoch ended before step {step}.");

    /// <summary>One SGD step on <paramref name="batch"/> (disposed); returns the global batch's mean loss.</summary>
    public float Step(SparseBatch batch)
    {
        using (batch)
        using (Tape tape = new())
        {
            _sgd.ZeroGrad();
            DenseTensor logits = Network.Forward(batch.Tensor, tape);
            float loss = SoftmaxCrossEntropy.Compute(logits, batch.Labels!, tape, _predictions.AsSpan(0, batch.Count));
            if (Parallel is null)
                tape.Backward();
            else
                Parallel.Backward(tape, batch.Count);
            _sgd.Step();
            return _session is null ? loss : GlobalMean(loss, batch.Count);
        }
    }

    private float GlobalMean(float loss, int count)
    {
        float[] pair = [loss * count, count];
        _session!.AllreduceSum(pair);
        return pair[0] / pair[1];
    }

    private static Sequential<SparseTensor, DenseTensor> NormalisedNet(int l, int k)
    {
        List<Module> layers = [];
        int channels = 1;
        for (int n = 1; n <= l + 1; n++)
        {
            layers.Add(new Convolution(2, channels, n * k, n == 1 ? 3 : 2, seed: 10 + n));
            layers.Add(new BatchNormalization(n * k));
            layers.Add(new LeakyRelu(0f));
            if (n <= l)
                layers.Add(new MaxPooling(2, 2, 2));
            if (n == l)
                layers.Add(new Dropout(0.3f, seed: 7));
            channels = n * k;
        }
        layers.Add(new SparseToDense());
        layers.Add(new Linear(channels, Strokes.Classes, seed: 3));
        return new Sequential<SparseTensor, DenseTensor>(layers);
    }

    private static IEnumerable<Module> Flatten(Module m) => m.Children.SelectMany(Flatten).Prepend(m);

    public void Dispose()
    {
        _batches.Dispose();
        _loader.Dispose();
        Parallel?.Dispose();
        _sgd.Dispose();
        Network.Dispose();
        _backend.Dispose();
    }
}
