namespace SpatiallySparse.Optim;

/// <summary>
/// A linear warm-up in front of another schedule. During the first W = <see cref="WarmupSteps"/> steps the rate
/// rises linearly to the inner schedule's start: step t &lt; W gets inner.At(0) · (t + 1) / (W + 1) (never 0, and
/// below the start rate). From step W on the inner schedule runs shifted: step t gets inner.At(t - W), so it begins
/// at its own step 0 when the warm-up ends (a cosine annealing then still spans its full length).
/// </summary>
public sealed class LinearWarmup : LearningRateSchedule
{
    /// <summary>Creates the schedule: <paramref name="inner"/> not null, <paramref name="warmupSteps"/> &gt;= 1.</summary>
    public LinearWarmup(LearningRateSchedule inner, long warmupSteps)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (warmupSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"The warm-up must last >= 1 step, got {warmupSteps}.");
        Inner = inner;
        WarmupSteps = warmupSteps;
    }

    /// <summary>The schedule that follows the warm-up.</summary>
    public LearningRateSchedule Inner { get; }

    /// <summary>W: steps of the ramp.</summary>
    public long WarmupSteps { get; }

    /// <inheritdoc/>
    public override float At(long step)
    {
        CheckStep(step);
        if (step >= WarmupSteps)
            return Inner.At(step - WarmupSteps);
        return (float)(Inner.At(0) * (double)(step + 1) / (WarmupSteps + 1));
    }

    /// <summary>E.g. <c>linear warm-up over 100 steps, then constant 0.01</c>.</summary>
    public override string ToString() => $"linear warm-up over {WarmupSteps} steps, then {Inner}";
}
