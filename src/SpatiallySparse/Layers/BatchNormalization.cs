using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Layers;

/// <summary>
/// Batch normalisation over the active sites: in training, the mean and variance of each channel over every
/// active site of the batch (running averages kept for evaluation); the ground state is normalised with the
/// same statistics. Optionally followed by a leaky ReLU, as in SparseConvNet's BatchNormReLU.
/// </summary>
public sealed class BatchNormalization : SparseModule
{
    private FeatureMatrix _runningMean;
    private FeatureMatrix _runningVariance;

    /// <summary>Creates the layer.</summary>
    public BatchNormalization(int channels, float epsilon = 1e-4f, float momentum = 0.1f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        if (!(epsilon > 0f))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"Epsilon must be positive, got {epsilon}.");
        if (!(momentum >= 0f && momentum <= 1f))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"Momentum must be in [0, 1], got {momentum}.");
        Channels = channels;
        Epsilon = epsilon;
        Momentum = momentum;
        Weight = AddParameter("weight", 1, channels);
        Bias = AddParameter("bias", 1, channels);
        ISparseBackend be = Initialization.DefaultBackend;
        _runningMean = be.Allocate(1, channels);
        _runningVariance = be.Allocate(1, channels);
        ResetOwnParameters(new Random(0));
    }

    /// <summary>Channels.</summary>
    public int Channels { get; }

    /// <summary>Added to the variance.</summary>
    public float Epsilon { get; }

    /// <summary>Weight of the current batch in the running statistics.</summary>
    public float Momentum { get; }

    /// <summary>Scale (gamma), 1 x C.</summary>
    public Parameter Weight { get; }

    /// <summary>Shift (beta), 1 x C.</summary>
    public Parameter Bias { get; }

    /// <summary>Running mean used in evaluation mode.</summary>
    public float[] RunningMean => _runningMean.ToArray();

    /// <summary>Running (biased) variance used in evaluation mode.</summary>
    public float[] RunningVariance => _runningVariance.ToArray();

    /// <inheritdoc/>
    public override SparseTensor Forward(SparseTensor input, Tape tape)
    {
        if (input.Channels != Channels)
            throw new ArgumentException($"{this} expects {Channels} channels, got {input.Channels}.");
        CheckBackend(Weight, input);
        ISparseBackend be = input.Backend;
        FeatureMatrix mean = _runningMean, variance = _runningVariance;
        bool batchStatistics = IsTraining;
        if (batchStatistics)
        {
            if (input.ActiveCount == 0)
                throw new InvalidOperationException($"{this} needs at least one active site in training mode.");
            mean = tape.Own(be.Allocate(1, Channels));
            variance = tape.Own(be.Allocate(1, Channels));
            be.BatchNormStatistics(input.Features, mean, variance);
            UpdateRunning(be, _runningMean, mean);
            UpdateRunning(be, _runningVariance, variance);
        }
        FeatureMatrix features = be.Allocate(input.ActiveCount, Channels);
        FeatureMatrix ground = be.Allocate(input.BatchSize, Channels);
        be.BatchNormForward(input.Features, mean, variance, Epsilon, Weight.Value, Bias.Value, features);
        be.BatchNormForward(input.Ground, mean, variance, Epsilon, Weight.Value, Bias.Value, ground);
        SparseTensor y = tape.Own(new SparseTensor(input.Metadata, input.Grid, features, ground, groundIsZero: false));
        tape.Record(() =>
        {
            if (y.Grad is null && y.GroundGrad is null)
                return;
            FeatureMatrix dy = y.Grad ?? tape.Own(be.Allocate(input.ActiveCount, Channels));
            FeatureMatrix dGroundY = y.GroundGrad ?? tape.Own(be.Allocate(input.BatchSize, Channels));
            FeatureMatrix dGround = input.GroundIsZero ? tape.Own(be.Allocate(input.BatchSize, Channels)) : input.GroundGradOrCreate();
            be.BatchNormBackward(input.Features, dy, input.Ground, dGroundY, mean, variance, Epsilon, Weight.Value, batchStatistics,
                input.GradOrCreate(), dGround, Weight.Grad, Bias.Grad);
        });
        return y;
    }

    /// <inheritdoc/>
    protected override void MoveOwnBuffers(ISparseBackend backend)
    {
        _runningMean = MoveMatrix(_runningMean, backend);
        _runningVariance = MoveMatrix(_runningVariance, backend);
    }

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, FeatureMatrix Buffer)> OwnBuffers() =>
        [("running_mean", _runningMean), ("running_var", _runningVariance)];

    /// <inheritdoc/>
    protected override void ResetOwnParameters(Random random)
    {
        Initialization.Constant(Weight, 1f);
        Initialization.Constant(Bias, 0f);
        _runningMean.Backend.Fill(_runningMean, 0f);
        _runningVariance.Backend.Fill(_runningVariance, 1f);
    }

    private void UpdateRunning(ISparseBackend be, FeatureMatrix running, FeatureMatrix batch)
    {
        if (!be.CanAccess(running))
            throw new InvalidOperationException($"{this}: running statistics live on '{running.Backend.Name}', the input on '{be.Name}'.");
        be.Scale(running, 1f - Momentum);
        be.Add(batch, running, Momentum);
    }

    /// <summary>E.g. <c>BatchNormalization(64)</c>.</summary>
    public override string ToString() => $"BatchNormalization({Channels})";
}
