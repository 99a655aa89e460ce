using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Dense;

/// <summary>
/// Per-channel dropout on dense maps: one keep/drop draw per channel per mini-batch, the dense twin of
/// <see cref="Dropout"/> in <see cref="DropoutMode.PerChannel"/> mode. With the same seed it draws the same
/// masks as the sparse layer, so both networks see the same dropout.
/// </summary>
public sealed class DenseDropout : DenseMapModule
{
    private Random _random;

    /// <summary>Creates a dropout layer dropping a fraction <paramref name="rate"/> in [0, 1) of the channels.</summary>
    public DenseDropout(float rate, DropoutScaling scaling = DropoutScaling.ScaleAtTest, int? seed = null)
    {
        if (!(rate >= 0f && rate < 1f))
            throw new ArgumentOutOfRangeException(nameof(rate), $"Dropout rate must be in [0, 1), got {rate}.");
        Rate = rate;
        Scaling = scaling;
        _random = new Random(seed ?? Initialization.NextSeed());
    }

    /// <summary>Fraction dropped in training.</summary>
    public float Rate { get; }

    /// <summary>Scaling convention.</summary>
    public DropoutScaling Scaling { get; }

    /// <summary>Restarts the mask sequence from <paramref name="seed"/> (used to resume a run exactly).</summary>
    public void Reseed(int seed) => _random = new Random(seed);

    /// <inheritdoc/>
    public override DenseFeatureMap Forward(DenseFeatureMap input, Tape tape)
    {
        ISparseBackend be = input.Backend;
        int c = input.Channels;
        float keep = 1f - Rate;
        float[] mask = new float[c];
        if (!IsTraining || Rate == 0f)
            Array.Fill(mask, Scaling == DropoutScaling.ScaleAtTest ? keep : 1f);
        else
            for (int i = 0; i < c; i++)
                mask[i] = _random.NextSingle() < keep ? (Scaling == DropoutScaling.ScaleInTraining ? 1f / keep : 1f) : 0f;
        FeatureMatrix m = tape.Own(be.AllocateForOverwrite(1, c));
        be.Upload(mask, m);
        FeatureMatrix values = be.AllocateForOverwrite(input.Features.Rows, c);
        be.Multiply(input.Features, m, values, accumulate: false);
        DenseFeatureMap y = tape.Own(new DenseFeatureMap(values, input.BatchSize, input.SpatialSize));
        tape.Record(() =>
        {
            if (y.Grad is not null && input.NeedsGradient)
                be.Multiply(y.Grad, m, input.GradOrCreate(), accumulate: true);
        });
        return y;
    }

    /// <summary>E.g. <c>DenseDropout(0.5)</c>.</summary>
    public override string ToString() => $"DenseDropout({Rate:0.###})";
}
