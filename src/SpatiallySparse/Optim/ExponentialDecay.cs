namespace SpatiallySparse.Optim;

/// <summary>
/// The paper's decay lr0 · exp(-decay · t), t in steps or, with <see cref="StepsPerEpoch"/> &gt; 1, in whole
/// epochs (the rate then only moves at epoch boundaries).
/// </summary>
public sealed class ExponentialDecay : LearningRateSchedule
{
    /// <summary>
    /// Creates the schedule: <paramref name="initialRate"/> positive and finite, <paramref name="decay"/> &gt;= 0
    /// and finite, <paramref name="stepsPerEpoch"/> &gt;= 1.
    /// </summary>
    public ExponentialDecay(float initialRate, double decay, int stepsPerEpoch = 1)
    {
        if (!(initialRate > 0f) || !float.IsFinite(initialRate))
            throw new ArgumentOutOfRangeException(nameof(initialRate), $"Initial learning rate must be positive and finite, got {initialRate}.");
        if (!(decay >= 0) || !double.IsFinite(decay))
            throw new ArgumentOutOfRangeException(nameof(decay), $"Decay must be non-negative and finite, got {decay}.");
        if (stepsPerEpoch < 1)
            throw new ArgumentOutOfRangeException(nameof(stepsPerEpoch), $"Steps per epoch must be >= 1, got {stepsPerEpoch}.");
        InitialRate = initialRate;
        Decay = decay;
        StepsPerEpoch = stepsPerEpoch;
    }

    /// <summary>lr0, the rate at step 0.</summary>
    public float InitialRate { get; }

    /// <summary>Decay per unit of t.</summary>
    public double Decay { get; }

    /// <summary>Steps per unit of t (1: t counts steps).</summary>
    public int StepsPerEpoch { get; }

    /// <inheritdoc/>
    public override float At(long step)
    {
        CheckStep(step);
        // Integer division: t is the number of whole epochs done.
        return (float)(InitialRate * Math.Exp(-Decay * (step / StepsPerEpoch)));
    }

    /// <summary>E.g. <c>0.01 * exp(-1E-05 t)</c>, with the unit when t counts epochs.</summary>
    public override string ToString() =>
        StepsPerEpoch == 1 ? $"{InitialRate} * exp(-{Decay} t)" : $"{InitialRate} * exp(-{Decay} t), t in epochs of {StepsPerEpoch} steps";
}
