using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Layers;

/// <summary>
/// What <see cref="BatchNormalization"/> and its dense twin <c>DenseBatchNormalization</c> (SpatiallySparse.Dense) share: the
/// settings, the running mean and variance (checkpoint buffers <c>running_mean</c>, <c>running_var</c>) and the
/// choice between batch and running statistics, in one place so that the two normalise identically.
/// </summary>
internal sealed class BatchNormCore
{
    private FeatureMatrix _runningMean;
    private FeatureMatrix _runningVariance;

    public BatchNormCore(int channels, float epsilon, float momentum)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        if (!(epsilon > 0f))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"Epsilon must be positive, got {epsilon}.");
        if (!(momentum >= 0f && momentum <= 1f))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"Momentum must be in [0, 1], got {momentum}.");
        Channels = channels;
        Epsilon = epsilon;
        Momentum = momentum;
        ISparseBackend be = Initialization.DefaultBackend;
        _runningMean = be.Allocate(1, channels);
        _runningVariance = be.Allocate(1, channels);
        ResetRunning();
    }

    public int Channels { get; }

    public float Epsilon { get; }

    public float Momentum { get; }

    public float[] RunningMean => _runningMean.ToArray();

    public float[] RunningVariance => _runningVariance.ToArray();

    public IEnumerable<(string Name, FeatureMatrix Buffer)> Buffers => [("running_mean", _runningMean), ("running_var", _runningVariance)];

    /// <summary>
    /// The statistics to normalise <paramref name="x"/> with: in training the batch's own (owned by the tape), which
    /// also move the running averages; otherwise the running averages.
    /// </summary>
    public (FeatureMatrix Mean, FeatureMatrix Variance) Statistics(ISparseBackend be, FeatureMatrix x, bool training, Tape tape, object layer)
    {
        if (!training)
            return (_runningMean, _runningVariance);
        if (!be.CanAccess(_runningMean))
            throw new InvalidOperationException($"{layer}: running statistics live on '{_runningMean.Backend.Name}', the input on '{be.Name}'.");
        FeatureMatrix mean = tape.Own(be.Allocate(1, Channels));
        FeatureMatrix variance = tape.Own(be.Allocate(1, Channels));
        be.BatchNormStatistics(x, mean, variance);
        UpdateRunning(be, _runningMean, mean);
        UpdateRunning(be, _runningVariance, variance);
        return (mean, variance);
    }

    public void Move(ISparseBackend backend)
    {
        _runningMean = Module.MoveMatrix(_runningMean, backend);
        _runningVariance = Module.MoveMatrix(_runningVariance, backend);
    }

    public void ResetRunning()
    {
        _runningMean.Backend.Fill(_runningMean, 0f);
        _runningVariance.Backend.Fill(_runningVariance, 1f);
    }

    private void UpdateRunning(ISparseBackend be, FeatureMatrix running, FeatureMatrix batch)
    {
        be.Scale(running, 1f - Momentum);
        be.Add(batch, running, Momentum);
    }
}
