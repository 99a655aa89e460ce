using SpatiallySparse.Autograd;

namespace SpatiallySparse.Optim;

/// <summary>
/// Base of the optimisers: the parameters it updates, a learning-rate schedule driven by the step count, and a
/// state (step count and per-parameter buffers) that <see cref="GetState"/> hands out and <see cref="LoadState"/>
/// restores, so a training checkpoint resumes exactly. Buffers live on each parameter's backend.
/// </summary>
public abstract class Optimizer
{
    private readonly Parameter[] _parameters;

    /// <summary>Takes the parameters to update and the schedule of learning rates.</summary>
    protected Optimizer(IEnumerable<Parameter> parameters, LearningRateSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = [.. parameters];
        for (int i = 0; i < _parameters.Length; i++)
            if (_parameters[i] is null)
                throw new ArgumentException($"Parameter {i} is null.", nameof(parameters));
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
    }

    /// <summary>The parameters, in the order their state is saved.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Learning-rate schedule.</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>Steps taken so far (the schedule's position).</summary>
    public long StepCount { get; protected set; }

    /// <summary>The learning rate the next step will use.</summary>
    public float LearningRate => Schedule.At(StepCount);

    /// <summary>Short name recorded in the state, e.g. <c>sgd</c>; a state of another kind is refused on load.</summary>
    public abstract string Kind { get; }

    /// <summary>Applies one update from the accumulated gradients.</summary>
    public abstract void Step();

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGrad()
    {
        foreach (Parameter p in _parameters)
            p.ZeroGrad();
    }

    /// <summary>A copy, on the host, of the whole state a checkpoint needs.</summary>
    public abstract OptimizerState GetState();

    /// <summary>Restores a state from <see cref="GetState"/>; throws, naming the difference, when it does not fit.</summary>
    public abstract void LoadState(OptimizerState state);
}

/// <summary>
/// An optimiser's state on the host: its kind, the step count and named buffers (e.g. <c>velocity.3</c> for the
/// fourth parameter's momentum) and scalars.
/// </summary>
public sealed record OptimizerState(string Kind, long StepCount, IReadOnlyDictionary<string, float[]> Buffers,
    IReadOnlyDictionary<string, double> Scalars);
