namespace SpatiallySparse.Optim;

/// <summary>Learning rate as a function of the optimiser's step (mini-batch) count.</summary>
public abstract class LearningRateSchedule
{
    /// <summary>Learning rate for step <paramref name="step"/> (0 for the first).</summary>
    public abstract float At(long step);

    /// <summary>A fixed rate.</summary>
    public static LearningRateSchedule Constant(float rate) => new ExponentialDecay(rate, 0, 1);

    /// <summary>
    /// The paper's decay lr0 · exp(-decay · t), with t counted in steps (MNIST: lr0 0.01, decay 1e-5 per batch)
    /// or, with <paramref name="stepsPerEpoch"/>, in whole epochs (Assamese: 0.003 · exp(-0.005 · epoch)).
    /// </summary>
    public static LearningRateSchedule Exponential(float initialRate, double decay, int stepsPerEpoch = 1) =>
        new ExponentialDecay(initialRate, decay, stepsPerEpoch);

    private sealed class ExponentialDecay : LearningRateSchedule
    {
        private readonly float _initial;
        private readonly double _decay;
        private readonly int _stepsPerUnit;

        public ExponentialDecay(float initial, double decay, int stepsPerUnit)
        {
            if (!(initial > 0f) || !float.IsFinite(initial))
                throw new ArgumentOutOfRangeException(nameof(initial), $"Initial learning rate must be positive, got {initial}.");
            if (!(decay >= 0) || !double.IsFinite(decay))
                throw new ArgumentOutOfRangeException(nameof(decay), $"Decay must be non-negative, got {decay}.");
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepsPerUnit);
            _initial = initial;
            _decay = decay;
            _stepsPerUnit = stepsPerUnit;
        }

        public override float At(long step) => (float)(_initial * Math.Exp(-_decay * (step / _stepsPerUnit)));

        public override string ToString() => _decay == 0 ? $"constant {_initial}" : $"{_initial} * exp(-{_decay} t)";
    }
}
