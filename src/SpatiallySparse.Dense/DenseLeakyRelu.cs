using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Dense;

/// <summary>Leaky ReLU on every site of a dense map (slope 0: ReLU).</summary>
public sealed class DenseLeakyRelu : DenseMapModule
{
    /// <summary>Creates the activation.</summary>
    public DenseLeakyRelu(float slope = 0f)
    {
        if (!float.IsFinite(slope))
            throw new ArgumentOutOfRangeException(nameof(slope), $"Slope must be finite, got {slope}.");
        Slope = slope;
    }

    /// <summary>Slope for negative inputs.</summary>
    public float Slope { get; }

    /// <inheritdoc/>
    protected override DenseFeatureMap ForwardCore(DenseFeatureMap input, Tape tape)
    {
        ISparseBackend be = input.Backend;
        FeatureMatrix values = be.AllocateForOverwrite(input.Features.Rows, input.Channels);
        be.LeakyReluForward(input.Features, values, Slope);
        DenseFeatureMap y = tape.Own(new DenseFeatureMap(values, input.BatchSize, input.SpatialSize));
        tape.Record(() =>
        {
            if (y.Grad is not null && input.NeedsGradient)
                be.LeakyReluBackward(input.Features, y.Grad, input.GradOrCreate(), Slope);
        });
        return y;
    }

    /// <summary>E.g. <c>DenseLeakyRelu(0.333)</c>.</summary>
    public override string ToString() => $"DenseLeakyRelu({Slope:0.###})";
}
