using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Dense;

/// <summary>
/// Per-channel dropout on dense maps: one keep/drop draw per channel per mini-batch, the dense twin of
/// <see cref="Dropout"/> in <see cref="DropoutMode.PerChannel"/> mode. With the same seed it draws the same
/// masks as the sparse layer, so both networks see the same dropout.
/// </summary>
public sealed class DenseDropout : DenseMapModule, IReseedable
{
    private readonly DropoutMasks _masks;

    /// <summary>Creates a dropout layer dropping a fraction <paramref name="rate"/> in [0, 1) of the channels.</summary>
    public DenseDropout(float rate, DropoutScaling scaling = DropoutScaling.ScaleAtTest, int? seed = null) =>
        _masks = new DropoutMasks(rate, scaling, seed);

    /// <summary>Fraction dropped in training.</summary>
    public float Rate => _masks.Rate;

    /// <summary>Scaling convention.</summary>
    public DropoutScaling Scaling => _masks.Scaling;

    /// <inheritdoc/>
    public SeededRandom Generator => _masks.Generator;

    /// <inheritdoc/>
    public void Reseed(int seed) => _masks.Reseed(seed);

    /// <inheritdoc/>
    protected override DenseFeatureMap ForwardCore(DenseFeatureMap input, Tape tape)
    {
        ISparseBackend be = input.Backend;
        int c = input.Channels;
        FeatureMatrix m = tape.Own(_masks.PerChannel(be, c, IsTraining));
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
