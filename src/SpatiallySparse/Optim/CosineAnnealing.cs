namespace SpatiallySparse.Optim;

/// <summary>
/// Half a cosine from lr0 down to a minimum over <see cref="TotalSteps"/> steps (PyTorch's CosineAnnealingLR):
/// min + (lr0 - min) · (1 + cos(π t / T)) / 2. After T steps the rate stays at the minimum (no restart).
/// </summary>
public sealed class CosineAnnealing : LearningRateSchedule
{
    /// <summary>
    /// Creates the schedule: <paramref name="initialRate"/> positive and finite, <paramref name="totalSteps"/> &gt;= 1,
    /// <paramref name="minimumRate"/> in [0, initialRate].
    /// </summary>
    public CosineAnnealing(float initialRate, long totalSteps, float minimumRate = 0f)
    {
        CheckRate(initialRate, nameof(initialRate));
        if (totalSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), $"The number of steps must be >= 1, got {totalSteps}.");
        if (!(minimumRate >= 0f && minimumRate <= initialRate))
            throw new ArgumentOutOfRangeException(nameof(minimumRate), $"The minimum rate must be in [0, {initialRate}], got {minimumRate}.");
        InitialRate = initialRate;
        TotalSteps = totalSteps;
        MinimumRate = minimumRate;
    }

    /// <summary>lr0, the rate at step 0.</summary>
    public float InitialRate { get; }

    /// <summary>T: steps from lr0 to the minimum.</summary>
    public long TotalSteps { get; }

    /// <summary>The rate from step T on.</summary>
    public float MinimumRate { get; }

    /// <inheritdoc/>
    public override float At(long step)
    {
        CheckStep(step);
        double t = Math.Min(step, TotalSteps);
        return (float)(MinimumRate + (InitialRate - (double)MinimumRate) * (1 + Math.Cos(Math.PI * t / TotalSteps)) / 2);
    }

    /// <summary>E.g. <c>cosine 0.1 -> 0 over 1000 steps</c>.</summary>
    public override string ToString() => $"cosine {InitialRate} -> {MinimumRate} over {TotalSteps} steps";
}
