using SpatiallySparse.Autograd;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Data;

/// <summary>
/// Builds batches of sparse samples on worker threads while the consumer trains on earlier ones: each batch's
/// points (through <see cref="SparseBatchLoaderOptions.AddSample"/>), its input tensor and, when a network is
/// given, its whole geometry. <see cref="Epoch"/> yields the batches in order; the sequence depends only on the
/// options' seed, never on the worker count or prefetch depth.
/// Ownership: the loader owns a batch until the enumeration hands it out; the consumer owns it from then on and
/// disposes it after its step. Leaving the enumeration early (break, exception) or disposing the loader stops
/// the workers and disposes every batch built but not handed out.
/// </summary>
/// <example>
/// Batches built on worker threads for a network (from <c>samples/Demo</c>); <see cref="Epoch"/> then yields them in order, and each is disposed after its step (the <see cref="Optim.Adam"/> example).
/// <code language="csharp">
/// using SparseBatchLoader loader = new(new SparseBatchLoaderOptions
/// {
///     SampleCount = 4000,
///     BatchSize = 32,
///     GridSize = new SpatialSize(32, 32),
///     Channels = 1,
///     Backend = backend,
///     Network = net,
///     Seed = 7,
///     AddSample = (input, slot, index, random) =&gt; Strokes.Add(input, slot, Strokes.Label(index), random),
///     Label = Strokes.Label,
/// });
/// // &lt;/snippet:loader&gt;
/// </code>
/// </example>
public sealed class SparseBatchLoader : IDisposable
{
    private readonly InputLayer _inputLayer;
    private readonly Stack<SparseInput> _freeInputs = new();  // storage of disposed batches, for later ones
    private readonly int _keptInputs;
    private EpochRun? _active;
    private bool _disposed;
    private int _liveBatches, _liveWorkers;

    /// <summary>Creates the loader; <paramref name="options"/> is validated (<see cref="SparseBatchLoaderOptions.Validate"/>).</summary>
    public SparseBatchLoader(SparseBatchLoaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _inputLayer = new InputLayer(options.GridSize, options.Duplicates);
        _keptInputs = options.BatchesAhead + options.Workers + 2;
    }

    /// <summary>The settings.</summary>
    public SparseBatchLoaderOptions Options { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchCount => Options.BatchCount;

    /// <summary>Batches built and not yet disposed (a diagnostic: after an enumeration ends, those its consumer still holds).</summary>
    internal int LiveBatches => Volatile.Read(ref _liveBatches);

    /// <summary>Worker threads running now.</summary>
    internal int LiveWorkers => Volatile.Read(ref _liveWorkers);

    /// <summary>
    /// The batches of <paramref name="epoch"/> from <paramref name="startBatch"/> on (a resumed epoch yields the
    /// tail of the full one). Workers start when enumeration starts; one enumeration at a time per loader.
    /// </summary>
    public IEnumerable<SparseBatch> Epoch(int epoch, int startBatch = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (startBatch < 0 || startBatch > BatchCount)
            throw new ArgumentOutOfRangeException(nameof(startBatch), startBatch, $"{nameof(startBatch)} is {startBatch}; accepted: 0..{BatchCount} (batches per epoch).");
        return Run(epoch, startBatch);
    }

    private IEnumerable<SparseBatch> Run(int epoch, int startBatch)
    {
        int[] order = Options.Shuffle ? BatchSeeds.EpochOrder(Options.Seed, epoch, Options.SampleCount) : Identity(Options.SampleCount);
        EpochRun run = Begin(epoch, startBatch, order);
        try
        {
            while (run.TryTake(out SparseBatch? batch))
                yield return batch!;
        }
        finally
        {
            End(run);
        }
    }

    private EpochRun Begin(int epoch, int startBatch, int[] order)
    {
        lock (_freeInputs)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_active is not null)
                throw new InvalidOperationException("This loader is already enumerating an epoch; finish or dispose that enumeration first (one at a time per loader).");
            return _active = new EpochRun(this, epoch, startBatch, order);
        }
    }

    private void End(EpochRun run)
    {
        run.Dispose();
        lock (_freeInputs)
        {
            if (ReferenceEquals(_active, run))
                _active = null;
        }
    }

    /// <summary>Stops any enumeration (disposing the batches it had built but not handed out); batches already handed out stay the consumer's.</summary>
    public void Dispose()
    {
        EpochRun? run;
        lock (_freeInputs)
        {
            _disposed = true;
            run = _active;
        }
        run?.Dispose();
        lock (_freeInputs)
            _freeInputs.Clear();
    }

    /// <summary>Builds batch <paramref name="batch"/> of <paramref name="epoch"/> (worker thread).</summary>
    internal SparseBatch Build(int epoch, int batch, int[] order, SampleRandom random)
    {
        SparseBatchLoaderOptions o = Options;
        (int start, int count) = o.ShardOf(batch);
        int[] indices = order.AsSpan(start, count).ToArray();
        SparseInput input = RentInput(count);
        Tape tape = new(recordGradients: false);
        try
        {
            // Batch scope: the generator a per-batch training loop made, drawn in slot order.
            Random? batchRandom = o.Augmentation == AugmentationScope.Batch ? new Random(BatchSeeds.Mix(o.Seed, epoch, batch)) : null;
            for (int slot = 0; slot < count; slot++)
            {
                if (batchRandom is null)
                    random.Reseed(BatchSeeds.Mix(o.Seed, epoch, indices[slot]));
                o.AddSample(input, slot, indices[slot], batchRandom ?? random);
            }
            int[]? labels = o.Label is null ? null : Labels(indices, o.Label);
            SparseTensor x = _inputLayer.Forward(input, o.Backend, tape);
            o.Network?.BuildGeometry(x);
            Interlocked.Increment(ref _liveBatches);
            return new SparseBatch(this, epoch, batch, indices, labels, input, x, tape);
        }
        catch
        {
            tape.Dispose();
            Recycle(input);
            throw;
        }
    }

    /// <summary>A disposed batch's storage comes back (any thread).</summary>
    internal void BatchDisposed(SparseInput input)
    {
        Interlocked.Decrement(ref _liveBatches);
        Recycle(input);
    }

    internal void WorkerStarted() => Interlocked.Increment(ref _liveWorkers);

    internal void WorkerStopped() => Interlocked.Decrement(ref _liveWorkers);

    private static int[] Labels(int[] indices, Func<int, int> label)
    {
        int[] labels = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
            labels[i] = label(indices[i]);
        return labels;
    }

    private static int[] Identity(int count)
    {
        int[] order = new int[count];
        for (int i = 0; i < count; i++)
            order[i] = i;
        return order;
    }

    /// <summary>An empty input of <paramref name="count"/> samples: a disposed batch's when one fits (its lists keep their capacity).</summary>
    private SparseInput RentInput(int count)
    {
        lock (_freeInputs)
        {
            if (_freeInputs.TryPeek(out SparseInput? free) && free.BatchSize == count)
            {
                _freeInputs.Pop();
                free.Clear();
                return free;
            }
        }
        return new SparseInput(count, Options.GridSize.Dimension, Options.Channels);
    }

    private void Recycle(SparseInput input)
    {
        lock (_freeInputs)
        {
            if (!_disposed && _freeInputs.Count < _keptInputs)
                _freeInputs.Push(input);
        }
    }
}
