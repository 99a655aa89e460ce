using SpatiallySparse.Autograd;

namespace SpatiallySparse.Optim;

/// <summary>
/// Stochastic gradient descent with momentum (classical or Nesterov) and L2 weight decay. The update runs on
/// each parameter's backend, so training stays on the device.
/// </summary>
public sealed class Sgd
{
    private readonly Parameter[] _parameters;

    /// <summary>Creates the optimiser for <paramref name="parameters"/>.</summary>
    public Sgd(IEnumerable<Parameter> parameters, LearningRateSchedule schedule, float momentum = 0.9f, float weightDecay = 0f, bool nesterov = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = [.. parameters];
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        if (!(momentum >= 0f && momentum < 1f))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"Momentum must be in [0, 1), got {momentum}.");
        if (!(weightDecay >= 0f) || !float.IsFinite(weightDecay))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Weight decay must be non-negative, got {weightDecay}.");
        Momentum = momentum;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
    }

    /// <summary>Creates the optimiser with a constant learning rate.</summary>
    public Sgd(IEnumerable<Parameter> parameters, float learningRate, float momentum = 0.9f, float weightDecay = 0f, bool nesterov = false)
        : this(parameters, LearningRateSchedule.Constant(learningRate), momentum, weightDecay, nesterov)
    {
    }

    /// <summary>Learning-rate schedule.</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>Momentum coefficient.</summary>
    public float Momentum { get; }

    /// <summary>L2 weight decay added to each gradient.</summary>
    public float WeightDecay { get; }

    /// <summary>Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <summary>Steps taken so far (restored from checkpoints to resume the schedule).</summary>
    public long StepCount { get; set; }

    /// <summary>The learning rate the next step will use.</summary>
    public float LearningRate => Schedule.At(StepCount);

    /// <summary>Applies one update from the accumulated gradients.</summary>
    public void Step()
    {
        float lr = LearningRate;
        foreach (Parameter p in _parameters)
        {
            p.Velocity ??= p.Backend.Allocate(p.Rows, p.Columns);
            p.Backend.SgdStep(p.Value, p.Grad, p.Velocity, lr, Momentum, WeightDecay, Nesterov);
        }
        StepCount++;
    }

    /// <summary>
    /// The momentum buffers, one per parameter in constructor order (zeros before the first step): with
    /// <see cref="StepCount"/>, the whole optimiser state a checkpoint needs to resume exactly.
    /// </summary>
    public float[][] GetVelocities() =>
        [.. _parameters.Select(p => p.Velocity?.ToArray() ?? new float[p.Rows * p.Columns])];

    /// <summary>Restores buffers saved by <see cref="GetVelocities"/>.</summary>
    public void SetVelocities(IReadOnlyList<float[]> velocities)
    {
        ArgumentNullException.ThrowIfNull(velocities);
        if (velocities.Count != _parameters.Length)
            throw new ArgumentException($"{velocities.Count} momentum buffers for {_parameters.Length} parameters.");
        for (int i = 0; i < _parameters.Length; i++)
            if (velocities[i].Length != _parameters[i].Rows * _parameters[i].Columns)
                throw new ArgumentException($"Momentum buffer {i} has {velocities[i].Length} values; parameter {_parameters[i]} needs {_parameters[i].Rows * _parameters[i].Columns}.");
        for (int i = 0; i < _parameters.Length; i++)
        {
            Parameter p = _parameters[i];
            p.Velocity ??= p.Backend.Allocate(p.Rows, p.Columns);
            p.Backend.Upload(velocities[i], p.Velocity);
        }
    }

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGrad()
    {
        foreach (Parameter p in _parameters)
            p.ZeroGrad();
    }
}
