using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Layers;

/// <summary>
/// The rate, scaling and seeded draws of a dropout layer, shared by <see cref="Dropout"/> and
/// <c>DenseDropout</c> (SpatiallySparse.Dense): with the same seed both draw the same masks, so sparse and dense networks
/// see the same dropout.
/// </summary>
internal sealed class DropoutMasks
{
    /// <summary>Draws for a fraction <paramref name="rate"/> in [0, 1) dropped.</summary>
    public DropoutMasks(float rate, DropoutScaling scaling, int? seed)
    {
        if (!(rate >= 0f && rate < 1f))
            throw new ArgumentOutOfRangeException(nameof(rate), $"Dropout rate must be in [0, 1), got {rate}.");
        Rate = rate;
        Scaling = scaling;
        Generator = new SeededRandom(seed ?? Initialization.NextSeed());
    }

    /// <summary>Fraction dropped in training.</summary>
    public float Rate { get; }

    /// <summary>Scaling convention.</summary>
    public DropoutScaling Scaling { get; }

    /// <summary>Fraction kept.</summary>
    public float Keep => 1f - Rate;

    /// <summary>Value of a kept unit in training.</summary>
    public float Kept => Scaling == DropoutScaling.ScaleInTraining ? 1f / Keep : 1f;

    /// <summary>The generator of the draws; its state is saved by training checkpoints.</summary>
    public SeededRandom Generator { get; }

    /// <summary>Restarts the draws from <paramref name="seed"/>.</summary>
    public void Reseed(int seed) => Generator.Reseed(seed);

    /// <summary>True when a forward pass draws: training with a non-zero rate.</summary>
    public bool Draws(bool training) => training && Rate != 0f;

    /// <summary>One value per channel: a keep/drop draw when <see cref="Draws"/>, else the test-time scale.</summary>
    public FeatureMatrix PerChannel(ISparseBackend be, int channels, bool training) =>
        Draws(training) ? Draw(be, 1, channels) : Constant(be, channels, Scaling == DropoutScaling.ScaleAtTest ? Keep : 1f);

    /// <summary>A <paramref name="rows"/> x <paramref name="columns"/> mask of independent draws: <see cref="Kept"/> or 0.</summary>
    public FeatureMatrix Draw(ISparseBackend be, int rows, int columns)
    {
        float keep = Keep, kept = Kept;
        float[] mask = new float[rows * columns];
        for (int i = 0; i < mask.Length; i++)
            mask[i] = Generator.NextSingle() < keep ? kept : 0f;
        FeatureMatrix m = be.Allocate(rows, columns);
        be.Upload(mask, m);
        return m;
    }

    /// <summary>A 1 x <paramref name="columns"/> mask of <paramref name="value"/>.</summary>
    public static FeatureMatrix Constant(ISparseBackend be, int columns, float value)
    {
        FeatureMatrix m = be.Allocate(1, columns);
        be.Fill(m, value);
        return m;
    }
}
