using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Layers;

/// <summary>
/// Batch normalisation over the active sites: in training, the mean and variance of each channel over every
/// active site of the batch (running averages kept for evaluation); the ground state is normalised with the
/// same statistics. The layer has no activation option: SparseConvNet's BatchNormReLU is this layer followed by a
/// <see cref="LeakyRelu"/> (slope 0 for ReLU) in a <see cref="Sequential"/>.
/// </summary>
public sealed class BatchNormalization : SparseModule
{
    private readonly BatchNormCore _core;

    /// <summary>Creates the layer.</summary>
    public BatchNormalization(int channels, float epsilon = 1e-4f, float momentum = 0.1f)
    {
        _core = new BatchNormCore(channels, epsilon, momentum);
        Weight = AddParameter("weight", 1, channels);
        Bias = AddParameter("bias", 1, channels);
        ResetOwnParameters(new Random(0));
    }

    /// <summary>Channels.</summary>
    public int Channels => _core.Channels;

    /// <summary>Added to the variance.</summary>
    public float Epsilon => _core.Epsilon;

    /// <summary>Weight of the current batch in the running statistics.</summary>
    public float Momentum => _core.Momentum;

    /// <summary>Scale (gamma), 1 x C.</summary>
    public Parameter Weight { get; }

    /// <summary>Shift (beta), 1 x C.</summary>
    public Parameter Bias { get; }

    /// <summary>Running mean used in evaluation mode.</summary>
    public float[] RunningMean => _core.RunningMean;

    /// <summary>Running (biased) variance used in evaluation mode.</summary>
    public float[] RunningVariance => _core.RunningVariance;

    /// <inheritdoc/>
    protected override SparseTensor ForwardCore(SparseTensor input, Tape tape)
    {
        if (input.Channels != Channels)
            throw new ArgumentException($"{this} expects {Channels} channels, got {input.Channels}.");
        CheckBackend(Weight, input);
        ISparseBackend be = input.Backend;
        bool batchStatistics = IsTraining;
        if (batchStatistics && input.ActiveCount == 0)
            throw new InvalidOperationException($"{this} needs at least one active site in training mode.");
        (FeatureMatrix mean, FeatureMatrix variance) = _core.Statistics(be, input.Features, batchStatistics, tape, this);
        FeatureMatrix features = be.Allocate(input.ActiveCount, Channels);
        FeatureMatrix ground = be.Allocate(input.BatchSize, Channels);
        be.BatchNormForward(input.Features, mean, variance, Epsilon, Weight.Value, Bias.Value, features);
        be.BatchNormForward(input.Ground, mean, variance, Epsilon, Weight.Value, Bias.Value, ground);
        SparseTensor y = tape.Own(SparseTensor.Create(input.Metadata, input.Grid, features, ground, groundIsZero: false));
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
    protected override void MoveOwnBuffers(ISparseBackend backend) => _core.Move(backend);

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, FeatureMatrix Buffer)> OwnBuffers() => _core.Buffers;

    /// <inheritdoc/>
    protected override void ResetOwnParameters(Random random)
    {
        Initialization.Constant(Weight, 1f);
        Initialization.Constant(Bias, 0f);
        _core.ResetRunning();
    }

    /// <summary>E.g. <c>BatchNormalization(64)</c>.</summary>
    public override string ToString() => $"BatchNormalization({Channels})";
}
