using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Data;
using SpatiallySparse.Dense;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Samples.Common;

/// <summary>
/// Makes a sample's batch loaders and runs its network on their batches. Both modes build each batch as the same
/// sparse points, on the loader's workers; the sparse mode uses the input tensor (and geometry) built there, the
/// dense mode writes the points into a full grid, so sparse and dense timings compare the networks and nothing else.
/// </summary>
public sealed class BatchForward
{
    private readonly SpatialSize _size;
    private readonly int _channels;
    private readonly ISparseBackend _backend;
    private readonly bool _dense;

    /// <summary>Creates the runner for <paramref name="channels"/>-feature points on a grid of <paramref name="size"/>.</summary>
    public BatchForward(bool dense, SpatialSize size, int channels, ISparseBackend backend)
    {
        _size = size ?? throw new ArgumentNullException(nameof(size));
        _channels = channels;
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        _dense = dense;
    }

    /// <summary>
    /// A loader over <paramref name="count"/> samples. Training batches are shuffled and get one augmentation
    /// generator per batch, <c>new Random(Seeds.Mix(seed, epoch, batch))</c>, drawn in slot order (the scheme these
    /// samples always used, so runs stay reproducible); test batches come in order. For the sparse mode the
    /// workers also build <paramref name="network"/>'s geometry. With a <paramref name="shard"/>, each sample gets
    /// its own generator instead, so that the ranks' shards together see what one process with the global batch sees.
    /// </summary>
    public SparseBatchLoader Loader(bool training, int count, int batchSize, int seed, AddSparseSample add, Func<int, int> label, Module network,
        LoaderShard? shard = null) =>
        new(new SparseBatchLoaderOptions
        {
            SampleCount = count,
            BatchSize = batchSize,
            GridSize = _size,
            Channels = _channels,
            AddSample = add,
            Label = label,
            Backend = _backend,
            Seed = seed,
            Shuffle = training,
            // One generator per batch drawn in slot order cannot be split over ranks; per sample it can.
            Augmentation = shard is null ? AugmentationScope.Batch : AugmentationScope.Sample,
            ShardCount = shard?.Count ?? 1,
            ShardIndex = shard?.Index ?? 0,
            Network = _dense ? null : network as Sequential,
        });

    /// <summary>Runs <paramref name="network"/> on <paramref name="batch"/> (which must outlive <paramref name="tape"/>).</summary>
    public DenseTensor Forward(Module network, SparseBatch batch, Tape tape)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(tape);
        Tensor x = _dense ? tape.Own(DenseFeatureMap.FromSparseInput(batch.Input, _size, _backend)) : batch.Tensor;
        return (DenseTensor)network.Forward(x, tape);
    }
}
