using SpatiallySparse.Autograd;

namespace SpatiallySparse.Optim;

/// <summary>
/// Base of the optimisers: the parameters it updates, a learning-rate schedule driven by the step count, and a
/// state (step count and per-parameter buffers) that <see cref="GetState"/> hands out and <see cref="LoadState"/>
/// restores, so a training checkpoint resumes exactly. Buffers live on each parameter's backend; those an optimiser
/// keeps itself (Adam's moments) are freed by <see cref="Dispose()"/>.
/// </summary>
public abstract class Optimizer : IDisposable
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

    /// <summary>Throws when another thread's training step holds a module whose parameters this optimiser updates.</summary>
    /// <exception cref="InvalidOperationException">Another thread's step is using one of the parameters' modules.</exception>
    protected void ThrowIfInAnotherThreadsStep()
    {
        foreach (Parameter p in _parameters)
            p.ThrowIfInAnotherThreadsStep();
    }

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

    /// <summary>Frees the buffers the optimiser holds itself; the parameters stay with their module.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the optimiser's own buffers when <paramref name="disposing"/>; the base holds none.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Throws unless <paramref name="state"/> is of this optimiser's kind with a step count &gt;= 0.</summary>
    protected void CheckKindAndStep(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Kind != Kind)
            throw new ArgumentException($"The state is of a '{state.Kind}' optimiser, not '{Kind}'.", nameof(state));
        if (state.StepCount < 0)
            throw new ArgumentOutOfRangeException(nameof(state), $"The state's step count must be >= 0, got {state.StepCount}.");
    }

    /// <summary>
    /// The buffer <paramref name="name"/> of <paramref name="state"/>, which must hold one value per element of
    /// parameter <paramref name="index"/>; throws naming the buffer when it is missing or of another length.
    /// </summary>
    protected float[] RequireBuffer(OptimizerState state, string name, int index)
    {
        ArgumentNullException.ThrowIfNull(state);
        Parameter p = _parameters[index];
        if (!state.Buffers.TryGetValue(name, out float[]? buffer) || buffer is null)
            throw new ArgumentException($"The state lacks buffer {name} (parameter {p}).", nameof(state));
        int expected = p.Rows * p.Columns;
        if (buffer.Length != expected)
            throw new ArgumentException($"Buffer {name} has {buffer.Length} values; parameter {p} needs {expected}.", nameof(state));
        return buffer;
    }
}

/// <summary>
/// An optimiser's state on the host: its kind, the step count and named buffers (e.g. <c>velocity.3</c> for the
/// fourth parameter's momentum) and scalars.
/// </summary>
public sealed record OptimizerState(string Kind, long StepCount, IReadOnlyDictionary<string, float[]> Buffers,
    IReadOnlyDictionary<string, double> Scalars);
