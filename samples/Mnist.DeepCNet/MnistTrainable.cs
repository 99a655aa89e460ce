using SpatiallySparse.Dense;
using SpatiallySparse;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Data;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;
using SpatiallySparse.Samples.Common;

namespace MnistDeepCNet;

/// <summary>
/// DeepCNet on MNIST, run sparsely or densely. Both modes build the batch the same way (the same points from
/// <see cref="DigitRasterizer"/>); the dense one then writes them into a full grid, so their timings compare
/// the networks and nothing else.
/// </summary>
public sealed class MnistTrainable : ITrainable
{
    private readonly MnistSplit _train, _test;
    private readonly DigitRasterizer _rasterizer;
    private readonly BatchForward _forward;

    /// <summary>Builds DeepCNet (dense when <paramref name="dense"/>) and its optimiser.</summary>
    public MnistTrainable(bool dense, DeepCNetOptions network, MnistSplit train, MnistSplit test, DigitRasterizer rasterizer,
        ISparseBackend backend, LearningRateSchedule schedule, float momentum, bool nesterov = false)
        : this(dense ? "dense" : "sparse", dense, dense ? DenseNetworks.DeepCNet(network) : DeepCNet.Create(network), train, test, rasterizer,
            backend, schedule, momentum, nesterov)
    {
    }

    /// <summary>
    /// Trains <paramref name="network"/> (named <paramref name="name"/>; dense when <paramref name="dense"/>, on a
    /// picture of the rasterizer's side) with SGD (Nesterov momentum when <paramref name="nesterov"/>), e.g. the plain
    /// CNN of <see cref="DenseNetworks.SimpleCnn"/>.
    /// </summary>
    public MnistTrainable(string name, bool dense, Sequential network, MnistSplit train, MnistSplit test, DigitRasterizer rasterizer,
        ISparseBackend backend, LearningRateSchedule schedule, float momentum, bool nesterov = false)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(rasterizer);
        Name = name;
        Dense = dense;
        _train = train;
        _test = test;
        _rasterizer = rasterizer;
        _forward = new BatchForward(dense, SpatialSize.Cube(2, rasterizer.GridSide), 1, backend);
        Network = network.To(backend);
        Optimizer = new Sgd(Network.Parameters(), schedule, momentum, nesterov: nesterov);
    }

    /// <summary>True for a network run densely.</summary>
    public bool Dense { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public Module Network { get; }

    /// <inheritdoc/>
    public Sgd Optimizer { get; }

    /// <inheritdoc/>
    public int TrainCount => _train.Count;

    /// <inheritdoc/>
    public int TestCount => _test.Count;

    /// <inheritdoc/>
    public int[] Labels(int[] indices, bool training)
    {
        byte[] labels = (training ? _train : _test).Labels;
        return [.. indices.Select(i => (int)labels[i])];
    }

    /// <inheritdoc/>
    public SparseBatchLoader Loader(bool training, int batchSize, int seed, LoaderShard? shard = null)
    {
        MnistSplit split = training ? _train : _test;
        // Runs on the loader's workers: the rasterizer and the images are only read. Test digits are not shifted.
        return _forward.Loader(training, split.Count, batchSize, seed,
            (batch, slot, index, random) => _rasterizer.Add(split.Images.Image(index), batch, slot, training ? random : null),
            index => split.Labels[index], Network, shard);
    }

    /// <inheritdoc/>
    public DenseTensor Forward(SparseBatch batch, Tape tape) => _forward.Forward(Network, batch, tape);
}
