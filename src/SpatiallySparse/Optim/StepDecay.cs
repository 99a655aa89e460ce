namespace SpatiallySparse.Optim;

/// <summary>lr0 · gamma^floor(step / stepSize): the rate drops by <see cref="Gamma"/> every <see cref="StepSize"/> steps (PyTorch's StepLR).</summary>
public sealed class StepDecay : LearningRateSchedule
{
    /// <summary>
    /// Creates the schedule: <paramref name="initialRate"/> positive and finite, <paramref name="stepSize"/> &gt;= 1,
    /// <paramref name="gamma"/> in (0, 1] (0.1 by default).
    /// </summary>
    public StepDecay(float initialRate, long stepSize, double gamma = 0.1)
    {
        CheckRate(initialRate, nameof(initialRate));
        if (stepSize < 1)
            throw new ArgumentOutOfRangeException(nameof(stepSize), $"The step size must be >= 1, got {stepSize}.");
        if (!(gamma > 0 && gamma <= 1))
            throw new ArgumentOutOfRangeException(nameof(gamma), $"Gamma must be in (0, 1], got {gamma}.");
        InitialRate = initialRate;
        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>lr0, the rate of the first <see cref="StepSize"/> steps.</summary>
    public float InitialRate { get; }

    /// <summary>Steps between drops.</summary>
    public long StepSize { get; }

    /// <summary>Factor applied at each drop.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    public override float At(long step)
    {
        CheckStep(step);
        return (float)(InitialRate * Math.Pow(Gamma, step / StepSize));
    }

    /// <summary>E.g. <c>0.1 * 0.5^floor(t / 30)</c>.</summary>
    public override string ToString() => $"{InitialRate} * {Gamma}^floor(t / {StepSize})";
}
