using SpatiallySparse.Autograd;

namespace SpatiallySparse.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum (classical or Nesterov) and L2 weight decay, with PyTorch's
/// defaults: no momentum and no weight decay unless asked for (the paper's networks pass <c>momentum: 0.9f</c>).
/// The update runs on each parameter's backend, so training stays on the device.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly IReadOnlyList<Parameter> _parameters;

    /// <summary>
    /// Creates the optimiser for <paramref name="parameters"/>; <paramref name="momentum"/> in [0, 1) (0, plain
    /// gradient descent, by default), <paramref name="weightDecay"/> &gt;= 0 (L2, added to the gradient).
    /// </summary>
    public Sgd(IEnumerable<Parameter> parameters, LearningRateSchedule schedule, float momentum = 0f, float weightDecay = 0f, bool nesterov = false)
        : base(parameters, schedule)
    {
        _parameters = Parameters;
        if (!(momentum >= 0f && momentum < 1f))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"Momentum must be in [0, 1), got {momentum}.");
        if (!(weightDecay >= 0f) || !float.IsFinite(weightDecay))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Weight decay must be non-negative, got {weightDecay}.");
        Momentum = momentum;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
    }

    /// <summary>Creates the optimiser with a constant learning rate; the other arguments as the schedule constructor's.</summary>
    public Sgd(IEnumerable<Parameter> parameters, float learningRate, float momentum = 0f, float weightDecay = 0f, bool nesterov = false)
        : this(parameters, LearningRateSchedule.Constant(learningRate), momentum, weightDecay, nesterov)
    {
    }

    /// <summary>Momentum coefficient (0 by default, as PyTorch).</summary>
    public float Momentum { get; }

    /// <summary>L2 weight decay added to each gradient.</summary>
    public float WeightDecay { get; }

    /// <summary>Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    public override string Kind => "sgd";

    /// <inheritdoc/>
    public override void Step()
    {
        ThrowIfInAnotherThreadsStep();
        float lr = LearningRate;
        for (int i = 0; i < _parameters.Count; i++)  // no enumerator: a step allocates nothing
        {
            Parameter p = _parameters[i];
            p.Velocity ??= p.Backend.Allocate(p.Rows, p.Columns);
            p.Backend.SgdStep(p.Value, p.Grad, p.Velocity, lr, Momentum, WeightDecay, Nesterov);
        }
        StepCount++;
    }

    /// <summary>
    /// The momentum buffers, one per parameter in constructor order (zeros before the first step): with
    /// <see cref="Optimizer.StepCount"/>, the whole optimiser state a checkpoint needs to resume exactly.
    /// </summary>
    public float[][] GetVelocities() =>
        [.. _parameters.Select(p => p.Velocity?.ToArray() ?? new float[p.Rows * p.Columns])];

    /// <summary>Restores buffers saved by <see cref="GetVelocities"/>.</summary>
    public void SetVelocities(IReadOnlyList<float[]> velocities)
    {
        ArgumentNullException.ThrowIfNull(velocities);
        if (velocities.Count != _parameters.Count)
            throw new ArgumentException($"{velocities.Count} momentum buffers for {_parameters.Count} parameters.");
        for (int i = 0; i < _parameters.Count; i++)
            if (velocities[i].Length != _parameters[i].Rows * _parameters[i].Columns)
                throw new ArgumentException($"Momentum buffer {i} has {velocities[i].Length} values; parameter {_parameters[i]} needs {_parameters[i].Rows * _parameters[i].Columns}.");
        for (int i = 0; i < _parameters.Count; i++)
        {
            Parameter p = _parameters[i];
            p.Velocity ??= p.Backend.Allocate(p.Rows, p.Columns);
            p.Backend.Upload(velocities[i], p.Velocity);
        }
    }

    /// <inheritdoc/>
    public override OptimizerState GetState()
    {
        float[][] velocities = GetVelocities();
        return new OptimizerState(Kind, StepCount,
            velocities.Select((v, i) => (Name: $"velocity.{i}", Values: v)).ToDictionary(x => x.Name, x => x.Values),
            new Dictionary<string, double>());
    }

    /// <inheritdoc/>
    public override void LoadState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Kind != Kind)
            throw new ArgumentException($"The state is of a '{state.Kind}' optimiser, not '{Kind}'.", nameof(state));
        ArgumentOutOfRangeException.ThrowIfNegative(state.StepCount, nameof(state));
        float[][] velocities = new float[_parameters.Count][];
        for (int i = 0; i < velocities.Length; i++)
            velocities[i] = state.Buffers.TryGetValue($"velocity.{i}", out float[]? v) ? v
                : throw new ArgumentException($"The state lacks buffer velocity.{i} (parameter {_parameters[i]}).", nameof(state));
        SetVelocities(velocities);
        StepCount = state.StepCount;
    }
}
