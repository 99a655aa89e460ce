using SpatiallySparse;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
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

    /// <summary>Builds the network (dense when <paramref name="dense"/>) and its optimiser.</summary>
    public MnistTrainable(bool dense, DeepCNetOptions network, MnistSplit train, MnistSplit test, DigitRasterizer rasterizer,
        ISparseBackend backend, LearningRateSchedule schedule, float momentum)
    {
        ArgumentNullException.ThrowIfNull(network);
        Dense = dense;
        _train = train;
        _test = test;
        _rasterizer = rasterizer;
        _forward = new BatchForward(dense, SpatialSize.Cube(2, DeepCNet.InputSide(network.L)), 1, backend);
        Network = (dense ? (Sequential)DeepCNet.CreateDense(network) : DeepCNet.Create(network)).To(backend);
        Optimizer = new Sgd(Network.Parameters(), schedule, momentum);
    }

    /// <summary>True for the dense baseline.</summary>
    public bool Dense { get; }

    /// <inheritdoc/>
    public string Name => Dense ? "dense" : "sparse";

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
    public DenseTensor Forward(int[] indices, Random? augmentation, Tape tape)
    {
        ArgumentNullException.ThrowIfNull(indices);
        MnistSplit split = augmentation is null ? _test : _train;
        return _forward.Forward(Network, indices.Length, (batch, b) => _rasterizer.Add(split.Images.Image(indices[b]), batch, b, augmentation), tape);
    }
}
