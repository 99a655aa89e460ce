using System.Collections.Concurrent;
using System.Diagnostics;
using SpatiallySparse.Autograd;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Distributed;

/// <summary>
/// All-reduces gradient buckets on one background thread, in bucket order, while the training thread continues
/// backward. Buckets are handed over strictly in index order (a ready bucket waits for all earlier ones), so every
/// rank issues the same all-reduces in the same order and the sums are the same bits on every run.
/// </summary>
internal sealed class GradientReducer : IDisposable
{
    private readonly DistributedSession _session;
    private readonly List<GradientBucket> _buckets;
    private readonly Dictionary<Module, List<GradientBucket>> _bucketsOfModule;
    private readonly BlockingCollection<GradientBucket> _queue = new();
    private readonly CountdownEvent _done = new(0);
    private readonly Thread _thread;
    private Exception? _failure;
    private int _nextToQueue, _localCount;
    private long _communicationTicks;

    public GradientReducer(DistributedSession session, Module module, long bucketFloats)
    {
        _session = session;
        List<Parameter> backwardOrder = module.Parameters().Reverse().ToList();
        _buckets = GradientBucket.Split(backwardOrder, bucketFloats);
        _bucketsOfModule = MapModules(module, _buckets);
        _thread = new Thread(Run) { IsBackground = true, Name = "SpatiallySparse all-reduce" };
        _thread.Start();
    }

    public IReadOnlyList<GradientBucket> Buckets => _buckets;

    /// <summary>Seconds the background thread spent inside all-reduce calls during the last step.</summary>
    public double CommunicationSeconds => _communicationTicks / (double)Stopwatch.Frequency;

    /// <summary>Resets the per-step counters; <paramref name="localCount"/> is this rank's sample count.</summary>
    public void Begin(int localCount)
    {
        _localCount = localCount;
        _nextToQueue = 0;
        _failure = null;
        _communicationTicks = 0;
        foreach (GradientBucket bucket in _buckets)
            bucket.Pending = bucket.Parameters.Count;
        _done.Reset(_buckets.Count);
    }

    /// <summary>Tape callback: the module's own gradients are final.</summary>
    public void ModuleFinished(Module module)
    {
        if (!_bucketsOfModule.TryGetValue(module, out List<GradientBucket>? buckets))
            return;
        foreach (GradientBucket bucket in buckets)
            bucket.Pending--;
        QueueReady(all: false);
    }

    /// <summary>Hands over every bucket not yet queued (backward is over, so all gradients are final) and waits for all.</summary>
    public void Finish()
    {
        QueueReady(all: true);
        _done.Wait();
        if (_failure is not null)
            throw new InvalidOperationException($"Gradient all-reduce failed on rank {_session.Rank}: {_failure.Message}", _failure);
    }

    private void QueueReady(bool all)
    {
        while (_nextToQueue < _buckets.Count && (all || _buckets[_nextToQueue].Pending <= 0))
            _queue.Add(_buckets[_nextToQueue++]);
    }

    private void Run()
    {
        float inverseTotal = 1f;
        foreach (GradientBucket bucket in _queue.GetConsumingEnumerable())
        {
            try
            {
                // Each rank sends count x its mean gradient; the sum over ranks divided by the total count is the
                // gradient of the mean loss over the global batch, whatever the ranks' shares.
                bucket.Gather(_localCount, _localCount);
                long start = Stopwatch.GetTimestamp();
                _session.AllreduceSum(bucket.Buffer, bucket.Sum);
                _communicationTicks += Stopwatch.GetTimestamp() - start;
                if (bucket.Index == 0)
                    inverseTotal = 1f / bucket.Sum[^1];
                bucket.Scatter(inverseTotal);
            }
#pragma warning disable CA1031 // reported to the training thread by Finish
            catch (Exception e)
#pragma warning restore CA1031
            {
                _failure ??= e;
            }
            _done.Signal();
        }
    }

    /// <summary>For each module, the buckets of its own parameters (once per parameter).</summary>
    private static Dictionary<Module, List<GradientBucket>> MapModules(Module root, List<GradientBucket> buckets)
    {
        Dictionary<Parameter, GradientBucket> bucketOf = new(ReferenceEqualityComparer.Instance);
        foreach (GradientBucket bucket in buckets)
            foreach (Parameter p in bucket.Parameters)
                bucketOf[p] = bucket;
        Dictionary<Module, List<GradientBucket>> map = new(ReferenceEqualityComparer.Instance);
        Visit(root, bucketOf, map);
        return map;
    }

    private static void Visit(Module module, Dictionary<Parameter, GradientBucket> bucketOf, Dictionary<Module, List<GradientBucket>> map)
    {
        // A module's own parameters are the ones NamedParameters lists without a child's "i." prefix.
        List<GradientBucket> own = module.NamedParameters().Where(n => !n.Name.Contains('.', StringComparison.Ordinal))
            .Select(n => bucketOf[n.Parameter]).ToList();
        if (own.Count > 0)
            map[module] = own;
        foreach (Module child in module.Children)
            Visit(child, bucketOf, map);
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join();
        _queue.Dispose();
        _done.Dispose();
    }
}
