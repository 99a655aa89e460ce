using SpatiallySparse.Geometry;

namespace SpatiallySparse.Data;

/// <summary>
/// The worker threads of one epoch's enumeration and the ring of finished batches between them and the consumer.
/// Workers claim batch numbers in order, never more than <c>BatchesAhead</c> beyond the consumer's, and put each
/// finished batch in its ring slot; the consumer takes them in order, so the sequence is the same for any worker
/// count. The run owns a batch from the moment a worker finishes it until the consumer takes it; disposing the
/// run stops the workers, waits for them and disposes every batch it still owns.
/// </summary>
internal sealed class EpochRun : IDisposable
{
    private readonly SparseBatchLoader _loader;
    private readonly int _epoch, _end;
    private readonly int[] _order;
    private readonly SparseBatch?[] _ring;
    private readonly Thread[] _threads;
    private readonly object _gate = new();  // Monitor.Wait needs an object, not a Lock
    private int _next, _taken;
    private bool _stopping;
    private int _failedBatch = int.MaxValue;
    private Exception? _failure;

    public EpochRun(SparseBatchLoader loader, int epoch, int startBatch, int[] order)
    {
        SparseBatchLoaderOptions options = loader.Options;
        (_loader, _epoch, _order, _end) = (loader, epoch, order, options.BatchCount);
        _next = _taken = startBatch;
        _ring = new SparseBatch?[options.BatchesAhead];
        _threads = new Thread[Math.Min(options.Workers, Math.Max(1, _end - startBatch))];
        for (int w = 0; w < _threads.Length; w++)
            _threads[w] = new Thread(Work) { IsBackground = true, Name = $"SparseBatchLoader worker {w + 1}" };
        foreach (Thread thread in _threads)
        {
            loader.WorkerStarted();
            thread.Start();
        }
    }

    /// <summary>The next batch in order, now owned by the caller; false after the last. Throws <see cref="SparseBatchException"/> for a batch a worker failed to build.</summary>
    public bool TryTake(out SparseBatch? batch)
    {
        batch = null;
        lock (_gate)
        {
            if (_taken >= _end)
                return false;
            int slot = _taken % _ring.Length;
            while (_ring[slot] is null && _failedBatch != _taken && !_stopping)
                Monitor.Wait(_gate);
            ObjectDisposedException.ThrowIf(_stopping, this);
            if (_ring[slot] is not { } ready)
                throw new SparseBatchException(_epoch, _taken, _failure!);
            (batch, _ring[slot]) = (ready, null);
            _taken++;
            Monitor.PulseAll(_gate);
            return true;
        }
    }

    /// <summary>Stops the workers, waits for them, and disposes every finished batch not yet taken.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        foreach (Thread thread in _threads)
            thread.Join();
        for (int i = 0; i < _ring.Length; i++)
        {
            _ring[i]?.Dispose();
            _ring[i] = null;
        }
    }

    private void Work()
    {
        try
        {
            // This worker is one of several building beside the training step: its geometry stays on this thread.
            GeometryThreads.Limit = 1;
            SampleRandom random = new();  // this worker's, reseeded per sample
            while (Claim() is int b)
            {
                SparseBatch? built = null;
                Exception? error = null;
                try
                {
                    built = _loader.Build(_epoch, b, _order, random);
                }
                catch (Exception e)
                {
                    error = e;
                }
                Deliver(b, built, error);
            }
        }
        finally
        {
            _loader.WorkerStopped();
        }
    }

    /// <summary>The next batch number to build, waiting while it would run too far ahead; null when there is none.</summary>
    private int? Claim()
    {
        lock (_gate)
        {
            while (!_stopping && _next < _end && _next < _failedBatch && _next >= _taken + _ring.Length)
                Monitor.Wait(_gate);
            if (_stopping || _next >= _end || _next >= _failedBatch)
                return null;
            return _next++;
        }
    }

    /// <summary>Puts a finished batch in its slot (free: batch b - BatchesAhead was taken before b was claimed), or notes the failure.</summary>
    private void Deliver(int b, SparseBatch? built, Exception? error)
    {
        lock (_gate)
        {
            if (error is not null && b < _failedBatch)
                (_failedBatch, _failure) = (b, error);
            else if (built is not null)
                _ring[b % _ring.Length] = built;
            Monitor.PulseAll(_gate);
        }
    }
}
