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
public sealed class Dropout : SparseModule
{
    private Random _random;

    /// <summary>Creates a dropout layer dropping a fraction <paramref name="rate"/> in [0, 1).</summary>
    public Dropout(float rate, DropoutMode mode = DropoutMode.PerChannel, DropoutScaling scaling = DropoutScaling.ScaleAtTest, int? seed = null)
    {
        if (!(rate >= 0f && rate < 1f))
            throw new ArgumentOutOfRangeException(nameof(rate), $"Dropout rate must be in [0, 1), got {rate}.");
        Rate = rate;
        Mode = mode;
        Scaling = scaling;
        _random = new Random(seed ?? Initialization.NextSeed());
    }

    /// <summary>Fraction dropped in training.</summary>
    public float Rate { get; }

    /// <summary>Granularity of the draws.</summary>
    public DropoutMode Mode { get; }

    /// <summary>Scaling convention.</summary>
    public DropoutScaling Scaling { get; }

    /// <summary>Restarts the mask sequence from <paramref name="seed"/> (used to resume a run exactly).</summary>
    public void Reseed(int seed) => _random = new Random(seed);

    /// <inheritdoc/>
    public override SparseTensor Forward(SparseTensor input, Tape tape)
    {
        ISparseBackend be = input.Backend;
        int c = input.Channels;
        float keep = 1f - Rate;
        float kept = Scaling == DropoutScaling.ScaleInTraining ? 1f / keep : 1f;
        FeatureMatrix featureMask, groundMask;
        if (!IsTraining || Rate == 0f)
        {
            // Test time: a constant scale on every unit.
            featureMask = groundMask = tape.Own(Constant(be, c, Scaling == DropoutScaling.ScaleAtTest ? keep : 1f));
        }
        else if (Mode == DropoutMode.PerChannel)
        {
            featureMask = groundMask = tape.Own(Draw(be, 1, c, keep, kept));
        }
        else
        {
            featureMask = tape.Own(Draw(be, input.ActiveCount, c, keep, kept));
            groundMask = tape.Own(Constant(be, c, keep * kept));
        }
        FeatureMatrix features = be.AllocateForOverwrite(input.ActiveCount, c);
        FeatureMatrix ground = be.AllocateForOverwrite(input.BatchSize, c);
        be.Multiply(input.Features, featureMask, features, accumulate: false);
        be.Multiply(input.Ground, groundMask, ground, accumulate: false);
        SparseTensor y = tape.Own(new SparseTensor(input.Metadata, input.Grid, features, ground, input.GroundIsZero));
        tape.Record(() =>
        {
            if (y.Grad is not null)
                be.Multiply(y.Grad, featureMask, input.GradOrCreate(), accumulate: true);
            if (y.GroundGrad is not null && !input.GroundIsZero)
                be.Multiply(y.GroundGrad, groundMask, input.GroundGradOrCreate(), accumulate: true);
        });
        return y;
    }

    private static FeatureMatrix Constant(ISparseBackend be, int columns, float value)
    {
        FeatureMatrix m = be.Allocate(1, columns);
        be.Fill(m, value);
        return m;
    }

    private FeatureMatrix Draw(ISparseBackend be, int rows, int columns, float keep, float keptValue)
    {
        float[] mask = new float[rows * columns];
        for (int i = 0; i < mask.Length; i++)
            mask[i] = _random.NextSingle() < keep ? keptValue : 0f;
        FeatureMatrix m = be.Allocate(rows, columns);
        be.Upload(mask, m);
        return m;
    }

    /// <summary>E.g. <c>Dropout(0.5, PerChannel)</c>.</summary>
    public override string ToString() => $"Dropout({Rate:0.###}, {Mode})";
}
