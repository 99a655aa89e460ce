using System.Diagnostics;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Distributed;

/// <summary>
/// Data-parallel training of one model replica per MPI rank. On construction every rank takes rank 0's weights
/// and buffers. <see cref="Backward"/> replaces <see cref="Tape.Backward()"/>: it runs backward and all-reduces the
/// gradients in fixed-order buckets, by default starting each bucket as soon as backward has finished the layers
/// it holds, so that communication overlaps the rest of backward. Afterwards every rank holds the gradient of the
/// mean loss over the global batch (all ranks' samples together), the same on every rank, and an optimiser step
/// keeps the replicas identical. Batch-norm running statistics are averaged over the ranks after each step.
/// </summary>
public sealed class DistributedDataParallel : IDisposable
{
    private readonly DistributedSession _session;
    private readonly GradientReducer _reducer;
    private readonly bool _overlap, _averageBuffers;
    private readonly List<(string Name, FeatureMatrix Buffer)> _buffers;

    /// <summary>Wraps <paramref name="module"/> and broadcasts rank 0's parameters and buffers to every rank.</summary>
    /// <param name="module">This rank's replica (the same architecture on every rank).</param>
    /// <param name="session">The MPI session.</param>
    /// <param name="options">Bucket size, overlap, buffer averaging; null: defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public DistributedDataParallel(Module module, DistributedSession session, DistributedOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(session);
        options ??= new DistributedOptions();
        options.Validate();
        (Module, _session, _overlap, _averageBuffers) = (module, session, options.Overlap, options.AverageBuffers);
        _buffers = module.NamedBuffers().ToList();
        BroadcastFromRoot();
        _reducer = new GradientReducer(session, module, options.BucketBytes / sizeof(float));
    }

    /// <summary>The wrapped replica.</summary>
    public Module Module { get; }

    /// <summary>Number of gradient buckets (each one all-reduce per step).</summary>
    public int BucketCount => _reducer.Buckets.Count;

    /// <summary>Gradient values all-reduced per step, over all buckets (bytes = 4 x this).</summary>
    public long GradientLength => _reducer.Buckets.Sum(b => (long)b.Buffer.Length);

    /// <summary>Seconds spent inside the gradient all-reduces during the last <see cref="Backward"/> (on the communication thread).</summary>
    public double LastCommunicationSeconds => _reducer.CommunicationSeconds;

    /// <summary>Seconds the last <see cref="Backward"/> waited for communication after its own backward work was done.</summary>
    public double LastWaitSeconds { get; private set; }

    /// <summary>
    /// Runs <paramref name="tape"/>'s backward and all-reduces the gradients; on return every rank's gradients are
    /// the gradient of the mean loss over the global batch (the sum of every rank's
    /// <paramref name="localBatchSize"/> x its own mean-loss gradient, divided by the summed sizes).
    /// Every rank must call it once per step, in the same order.
    /// </summary>
    /// <param name="tape">The step's tape, whose last op is a mean loss over this rank's samples.</param>
    /// <param name="localBatchSize">This rank's number of samples in the step (1..16777216, exact as a float).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="localBatchSize"/> is out of range.</exception>
    public void Backward(Tape tape, int localBatchSize)
    {
        ArgumentNullException.ThrowIfNull(tape);
        if (localBatchSize is < 1 or > 1 << 24)
            throw new ArgumentOutOfRangeException(nameof(localBatchSize), localBatchSize, $"{nameof(localBatchSize)} is {localBatchSize}; accepted: 1..16777216.");
        _reducer.Begin(localBatchSize);
        if (_overlap)
            tape.Backward(_reducer.ModuleFinished);
        else
            tape.Backward();
        long start = Stopwatch.GetTimestamp();
        _reducer.Finish();
        LastWaitSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (_averageBuffers && Module.IsTraining)
            AverageBuffers();
    }

    /// <summary>Averages the buffers (batch-norm running statistics) over the ranks, so that every replica evaluates alike.</summary>
    public void AverageBuffers()
    {
        if (_buffers.Count == 0)
            return;
        float[] flat = Flatten(_buffers.Select(b => b.Buffer));
        _session.AllreduceSum(flat);
        System.Numerics.Tensors.TensorPrimitives.Multiply(flat, 1f / _session.WorldSize, flat);
        Unflatten(flat, _buffers.Select(b => b.Buffer));
    }

    /// <summary>Gives every rank rank 0's parameter values and buffers (done on construction; call again after loading a checkpoint on rank 0 only).</summary>
    public void BroadcastFromRoot()
    {
        List<FeatureMatrix> matrices = Module.Parameters().Select(p => p.Value).Concat(_buffers.Select(b => b.Buffer)).ToList();
        float[] flat = Flatten(matrices);
        _session.Broadcast(flat);
        Unflatten(flat, matrices);
    }

    private static float[] Flatten(IEnumerable<FeatureMatrix> matrices)
    {
        List<FeatureMatrix> list = matrices.ToList();
        float[] flat = new float[list.Sum(m => m.Length)];
        int offset = 0;
        foreach (FeatureMatrix m in list)
        {
            m.Backend.Download(m, flat.AsSpan(offset, (int)m.Length));
            offset += (int)m.Length;
        }
        return flat;
    }

    private static void Unflatten(float[] flat, IEnumerable<FeatureMatrix> matrices)
    {
        int offset = 0;
        foreach (FeatureMatrix m in matrices)
        {
            m.Backend.Upload(flat.AsSpan(offset, (int)m.Length), m);
            offset += (int)m.Length;
        }
    }

    /// <summary>Stops the communication thread.</summary>
    public void Dispose() => _reducer.Dispose();
}
