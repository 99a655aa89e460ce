using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Dense;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Samples.Common;

/// <summary>
/// Runs a sample's network on one mini-batch. Both modes build the batch as the same sparse points; the dense
/// mode then writes them into a full grid, so sparse and dense timings compare the networks and nothing else.
/// </summary>
public sealed class BatchForward
{
    private readonly SpatialSize _size;
    private readonly int _channels;
    private readonly ISparseBackend _backend;
    private readonly InputLayer? _input;
    private SparseInput? _batch;

    /// <summary>Creates the runner for <paramref name="channels"/>-feature points on a grid of <paramref name="size"/>.</summary>
    public BatchForward(bool dense, SpatialSize size, int channels, ISparseBackend backend)
    {
        _size = size ?? throw new ArgumentNullException(nameof(size));
        _channels = channels;
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        _input = dense ? null : new InputLayer(size);
    }

    /// <summary>
    /// Fills the batch with <paramref name="count"/> samples, <paramref name="add"/>(batch, b) adding sample b,
    /// and runs <paramref name="network"/> on it.
    /// </summary>
    public DenseTensor Forward(Module network, int count, Action<SparseInput, int> add, Tape tape)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(tape);
        // One batch object refilled every step (a smaller last batch gets its own): its lists keep their capacity.
        SparseInput batch = _batch is { BatchSize: var size } && size == count ? _batch : _batch = new SparseInput(count, _size.Dimension, _channels);
        batch.Clear();
        for (int b = 0; b < count; b++)
            add(batch, b);
        Tensor x = _input is null
            ? tape.Own(DenseFeatureMap.FromSparseInput(batch, _size, _backend))
            : _input.Forward(batch, _backend, tape);
        return (DenseTensor)network.Forward(x, tape);
    }
}
