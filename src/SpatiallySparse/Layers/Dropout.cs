using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Layers;

/// <summary>Which units one dropout draw covers.</summary>
public enum DropoutMode
{
    /// <summary>
    /// One keep/drop draw per channel per mini-batch, shared by every site and the ground state
    /// (Graham's code): the sparse result still equals the dense one.
    /// </summary>
    PerChannel,

    /// <summary>
    /// One draw per active site and channel. Inactive sites cannot each get their own draw, so the ground state
    /// is scaled by the expected mask instead.
    /// </summary>
    PerElement,
}

/// <summary>Where the 1 / (1 - rate) correction goes.</summary>
public enum DropoutScaling
{
    /// <summary>The paper's convention: no scaling in training, outputs multiplied by (1 - rate) at test time.</summary>
    ScaleAtTest,

    /// <summary>Inverted dropout: kept units scaled by 1 / (1 - rate) in training, identity at test time.</summary>
    ScaleInTraining,
}

/// <summary>Dropout with a per-layer rate, seeded so a run is reproducible.</summary>
public sealed class Dropout : SparseModule, IReseedable
{
    private readonly DropoutMasks _masks;

    /// <summary>Creates a dropout layer dropping a fraction <paramref name="rate"/> in [0, 1).</summary>
    public Dropout(float rate, DropoutMode mode = DropoutMode.PerChannel, DropoutScaling scaling = DropoutScaling.ScaleAtTest, int? seed = null)
    {
        _masks = new DropoutMasks(rate, scaling, seed);
        Mode = mode;
    }

    /// <summary>Fraction dropped in training.</summary>
    public float Rate => _masks.Rate;

    /// <summary>Granularity of the draws.</summary>
    public DropoutMode Mode { get; }

    /// <summary>Scaling convention.</summary>
    public DropoutScaling Scaling => _masks.Scaling;

    /// <inheritdoc/>
    public SeededRandom Generator => _masks.Generator;

    /// <inheritdoc/>
    public void Reseed(int seed) => _masks.Reseed(seed);

    /// <inheritdoc/>
    protected override SparseTensor ForwardCore(SparseTensor input, Tape tape)
    {
        ISparseBackend be = input.Backend;
        int c = input.Channels;
        FeatureMatrix featureMask, groundMask;
        if (Mode == DropoutMode.PerElement && _masks.Draws(IsTraining))
        {
            featureMask = tape.Own(_masks.Draw(be, input.ActiveCount, c));
            groundMask = tape.Own(DropoutMasks.Constant(be, c, _masks.Keep * _masks.Kept));
        }
        else
        {
            featureMask = groundMask = tape.Own(_masks.PerChannel(be, c, IsTraining));
        }
        FeatureMatrix features = be.AllocateForOverwrite(input.ActiveCount, c);
        FeatureMatrix ground = be.AllocateForOverwrite(input.BatchSize, c);
        be.Multiply(input.Features, featureMask, features, accumulate: false);
        be.Multiply(input.Ground, groundMask, ground, accumulate: false);
        SparseTensor y = tape.Own(SparseTensor.Create(input.Metadata, input.Grid, features, ground, input.GroundIsZero));
        tape.Record(() =>
        {
            if (y.Grad is not null)
                be.Multiply(y.Grad, featureMask, input.GradOrCreate(), accumulate: true);
            if (y.GroundGrad is not null && !input.GroundIsZero)
                be.Multiply(y.GroundGrad, groundMask, input.GroundGradOrCreate(), accumulate: true);
        });
        return y;
    }

    /// <summary>E.g. <c>Dropout(0.5, PerChannel)</c>.</summary>
    public override string ToString() => $"Dropout({Rate:0.###}, {Mode})";
}
