namespace SpatiallySparse.Optim;

/// <summary>The same learning rate at every step.</summary>
public sealed class ConstantLearningRate : LearningRateSchedule
{
    /// <summary>Creates the schedule; <paramref name="rate"/> must be positive and finite.</summary>
    public ConstantLearningRate(float rate)
    {
        CheckRate(rate, nameof(rate));
        Rate = rate;
    }

    /// <summary>The rate.</summary>
    public float Rate { get; }

    /// <inheritdoc/>
    public override float At(long step)
    {
        CheckStep(step);
        return Rate;
    }

    /// <summary>E.g. <c>constant 0.01</c>.</summary>
    public override string ToString() => $"constant {Rate}";
}
