using System.Globalization;
using SpatiallySparse.Dense;
using SpatiallySparse;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Data;
using SpatiallySparse.Handwriting;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;
using SpatiallySparse.Samples.Common;

namespace AssameseHandwriting;

/// <summary>
/// A network (DeepCNet or the sparse VGG net, sparse or dense) on Assamese characters. Characters are normalised
/// once; each batch distorts them (training only) and renders them with the same <see cref="StrokeRenderer"/>
/// in both modes; the dense mode then writes the sites into full grids, so timings compare the networks alone.
/// </summary>
public sealed class AssameseTrainable : ITrainable
{
    private readonly PenCharacter[] _train, _test;
    private readonly int[] _trainLabels, _testLabels;
    private readonly StrokeRenderer _renderer;
    private readonly float _scale;
    private readonly StrokeAugmentation? _augmentation;
    private readonly BatchForward _forward;
    private int _clipped, _rendered;  // counted by the loaders' worker threads

    /// <summary>Builds the network (dense when <paramref name="dense"/>) and its optimiser.</summary>
    public AssameseTrainable(bool dense, AssameseOptions options, AssameseSplit train, AssameseSplit test, ISparseBackend backend, int batchesPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        AssameseNet kind = options.Kind;
        Dense = dense || kind == AssameseNet.SimpleCnn;  // the simple CNN has no sparse form
        Name = kind == AssameseNet.SimpleCnn ? "simple-cnn" : Dense ? "dense" : "sparse";
        float scale = options.CharacterScale;
        _train = [.. train.Samples.Select(s => s.Character.Normalize(scale))];
        _test = [.. test.Samples.Select(s => s.Character.Normalize(scale))];
        _trainLabels = [.. train.Samples.Select(s => s.Label)];
        _testLabels = [.. test.Samples.Select(s => s.Label)];
        _renderer = new StrokeRenderer(options.GridSide, options.FeatureSet());
        _scale = scale;
        // Graham's distances (jitter 1, shift 12) are for characters 64 cells tall: scale them with the character.
        _augmentation = options.Augment ? new StrokeAugmentation { Jitter = scale / 64, Shift = 12 * scale / 64 } : null;
        _forward = new BatchForward(Dense, _renderer.SpatialSize, _renderer.Channels, backend);
        Network = Build(kind, Dense, options).To(backend);
        LearningRateSchedule schedule = LearningRateSchedule.Exponential(options.InitialLearningRate, options.LearningRateDecay, Math.Max(1, batchesPerEpoch));
        Optimizer = new Sgd(Network.Parameters(), schedule, options.Momentum, options.WeightDecay, nesterov: true);
    }

    private static Sequential Build(AssameseNet kind, bool dense, AssameseOptions options) => kind switch
    {
        AssameseNet.SimpleCnn => DenseNetworks.SimpleCnn(options.SimpleCnnNetwork()),
        AssameseNet.DeepCNet => dense ? DenseNetworks.DeepCNet(options.DeepCNetNetwork()) : DeepCNet.Create(options.DeepCNetNetwork()),
        _ => dense ? DenseNetworks.SparseVgg(options.VggNetwork()) : SparseVgg.Create(options.VggNetwork()),
    };

    /// <summary>True for a dense network (the dense baseline, or the simple CNN).</summary>
    public bool Dense { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public Module Network { get; }

    /// <inheritdoc/>
    public Sgd Optimizer { get; }

    /// <inheritdoc/>
    public int TrainCount => _train.Length;

    /// <inheritdoc/>
    public int TestCount => _test.Length;

    /// <summary>Characters rendered so far with some ink outside the grid (dropped), training and test.</summary>
    public int ClippedCharacters => Volatile.Read(ref _clipped);

    /// <summary>Characters rendered so far.</summary>
    public int RenderedCharacters => Volatile.Read(ref _rendered);

    /// <summary>The renderer.</summary>
    public StrokeRenderer Renderer => _renderer;

    /// <inheritdoc/>
    public int[] Labels(int[] indices, bool training)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int[] labels = training ? _trainLabels : _testLabels;
        return [.. indices.Select(i => labels[i])];
    }

    /// <summary>
    /// The normalised character the network sees for sample <paramref name="index"/> of the training (or test) set,
    /// distorted when <paramref name="augmentation"/> is given and the run augments.
    /// </summary>
    public PenCharacter Prepare(int index, bool training, Random? augmentation) =>
        !training ? _test[index]
        : _augmentation is null || augmentation is null ? _train[index]
        : _augmentation.Apply(_train[index], augmentation);

    /// <inheritdoc/>
    public SparseBatchLoader Loader(bool training, int batchSize, int seed, LoaderShard? shard = null)
    {
        int[] labels = training ? _trainLabels : _testLabels;
        return _forward.Loader(training, labels.Length, batchSize, seed, (batch, slot, index, random) =>
        {
            // Runs on the loader's workers: the renderer and the characters are only read.
            Rendering r = _renderer.Render(Prepare(index, training, training ? random : null), batch, slot);
            Interlocked.Increment(ref _rendered);
            if (r.Sites.Count == 0)
                throw NoFit(index, training, r);
            if (r.PointsOutside > 0)
                Interlocked.Increment(ref _clipped);
        }, index => labels[index], Network, shard);
    }

    private ArgumentException NoFit(int index, bool training, Rendering r) => new(
        $"{(training ? "Training" : "Test")} character {index} does not fit the {_renderer.GridSide}x{_renderer.GridSide} grid at --scale " +
        $"{_scale.ToString(CultureInfo.InvariantCulture)}: all {r.PointsOutside} of its resampled points fell outside it. Use a --scale below " +
        $"{_renderer.GridSide} (the grid side) or a network with a larger grid (more --widths, or --net deepcnet).");

    /// <inheritdoc/>
    public DenseTensor Forward(SparseBatch batch, Tape tape) => _forward.Forward(Network, batch, tape);
}
