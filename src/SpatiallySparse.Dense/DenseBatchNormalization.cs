using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Dense;

/// <summary>
/// Batch normalisation over every site of a dense map: the dense twin of <see cref="BatchNormalization"/> (whose
/// statistics cover the active sites, i.e. every site of a fully active grid). Same parameters and buffers
/// (<c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c>), same backend kernels.
/// </summary>
public sealed class DenseBatchNormalization : DenseMapModule
{
    private readonly BatchNormCore _core;

    /// <summary>Creates the layer.</summary>
    public DenseBatchNormalization(int channels, float epsilon = 1e-4f, float momentum = 0.1f)
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
    protected override DenseFeatureMap ForwardCore(DenseFeatureMap input, Tape tape)
    {
        if (input.Channels != Channels)
            throw new ArgumentException($"{this} expects {Channels} channels, got {input.Channels}.");
        CheckBackend(Weight, input);
        ISparseBackend be = input.Backend;
        bool batchStatistics = IsTraining;
        (FeatureMatrix mean, FeatureMatrix variance) = _core.Statistics(be, input.Features, batchStatistics, tape, this);
        FeatureMatrix values = be.AllocateForOverwrite(input.Features.Rows, Channels);
        be.BatchNormForward(input.Features, mean, variance, Epsilon, Weight.Value, Bias.Value, values);
        DenseFeatureMap y = tape.Own(new DenseFeatureMap(values, input.BatchSize, input.SpatialSize));
        tape.Record(() =>
        {
            if (y.Grad is null)
                return;
            // The backend kernel also serves the sparse layer's ground states; a dense map has none (zero rows).
            FeatureMatrix noGround = tape.Own(be.Allocate(0, Channels));
            FeatureMatrix gradX = input.NeedsGradient ? input.GradOrCreate() : tape.Own(be.Allocate(input.Features.Rows, Channels));
            be.BatchNormBackward(input.Features, y.Grad, noGround, noGround, mean, variance, Epsilon, Weight.Value, batchStatistics,
                gradX, noGround, Weight.Grad, Bias.Grad);
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

    /// <summary>E.g. <c>DenseBatchNormalization(64)</c>.</summary>
    public override string ToString() => $"DenseBatchNormalization({Channels})";
}
