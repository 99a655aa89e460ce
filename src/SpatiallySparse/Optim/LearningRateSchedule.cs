namespace SpatiallySparse.Optim;

/// <summary>
/// Learning rate as a function of the optimiser's step (mini-batch) count. Schedules hold no state: the position
/// is the optimiser's <see cref="Optimizer.StepCount"/>, so a restored checkpoint resumes the schedule too.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>Learning rate for step <paramref name="step"/> (0 for the first, never negative).</summary>
    public abstract float At(long step);

    /// <summary>A fixed rate.</summary>
    public static ConstantLearningRate Constant(float rate) => new(rate);

    /// <summary>
    /// The paper's decay lr0 · exp(-decay · t), with t counted in steps (MNIST: lr0 0.01, decay 1e-5 per batch)
    /// or, with <paramref name="stepsPerEpoch"/>, in whole epochs (Assamese: 0.003 · exp(-0.005 · epoch)).
    /// </summary>
    public static ExponentialDecay Exponential(float initialRate, double decay, int stepsPerEpoch = 1) =>
        new(initialRate, decay, stepsPerEpoch);

    /// <summary>Throws unless <paramref name="step"/> &gt;= 0.</summary>
    protected static void CheckStep(long step)
    {
        if (step < 0)
            throw new ArgumentOutOfRangeException(nameof(step), $"The step must be >= 0, got {step}.");
    }

    /// <summary>Throws unless <paramref name="rate"/> is positive and finite.</summary>
    protected static void CheckRate(float rate, string name)
    {
        if (!(rate > 0f) || !float.IsFinite(rate))
            throw new ArgumentOutOfRangeException(name, $"{name} must be a positive, finite learning rate, got {rate}.");
    }
}
