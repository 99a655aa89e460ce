using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Layers;

/// <summary>
/// Base of every layer and network: parameters, children, train/eval mode and a forward pass that records
/// its backward work on a <see cref="Tape"/> (training) or records nothing (<see cref="Forward(Tensor)"/>,
/// inference). Parameters start on the shared CPU backend; <see cref="To"/> moves them. A module owns its
/// parameters, buffers and optimiser state: <see cref="Dispose"/> frees them.
/// </summary>
/// <remarks>
/// One step at a time: from a forward until its tape is reset or disposed, a module belongs to the thread that
/// ran that forward, and a forward from another thread meanwhile throws <see cref="InvalidOperationException"/>
/// (two threads updating the same gradients would give wrong results silently). To train in parallel, give each
/// thread or process its own replica.
/// </remarks>
public abstract class Module : IDisposable
{
    private readonly List<Parameter> _parameters = [];
    private int _claimThread;
    private int _claims;
    private bool _disposed;

    /// <summary>True in training mode (dropout active, batch statistics); false after <see cref="Eval"/>.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Direct sub-modules.</summary>
    public virtual IReadOnlyList<Module> Children => [];

    /// <summary>Runs the layer; backward work is recorded on <paramref name="tape"/>, which owns the result.</summary>
    /// <exception cref="ArgumentNullException">The input or the tape is null.</exception>
    /// <exception cref="ObjectDisposedException">The tape or this module was disposed.</exception>
    /// <exception cref="InvalidOperationException">Another thread's step is using this module.</exception>
    public Tensor Forward(Tensor input, Tape tape)
    {
        BeginStep(input, tape);
        IForwardObserver? observer = Observer;
        if (observer is null)
            return ForwardCore(input, tape);
        observer.Before(this, input, tape);
        Tensor output = ForwardCore(input, tape);
        observer.After(this, tape);
        return output;
    }

    /// <summary>
    /// A measuring hook (the benchmarks' per-layer profile): told before and after every forward on this thread.
    /// Null, the default, costs one thread-static read per forward.
    /// </summary>
    [ThreadStatic]
    internal static IForwardObserver? Observer;

    /// <summary>
    /// Inference: runs the module in evaluation mode (dropout off, batch-norm running statistics) and records
    /// nothing; computes exactly what <see cref="Forward(Tensor, Tape)"/> computes after <see cref="Eval"/>. The
    /// intermediates are freed before it returns; the result is the caller's to dispose (a sparse result shares
    /// the input's geometry, so it lives no longer than the input).
    /// </summary>
    /// <example>
    /// Inference on a typed network (from <c>samples/Demo</c>): no tape, and the results are disposed by the caller.
    /// <code language="csharp">
    /// InputLayer input = new(new SpatialSize(32, 32));
    /// SparseInput strokes = new(batchSize: 4, dimension: 2, channels: 1);
    /// Random fresh = new(2026);
    /// for (int b = 0; b &lt; 4; b++)
    ///     Strokes.Add(strokes, b, label: b, fresh);
    /// using SparseTensor x = input.Forward(strokes, backend);
    /// using DenseTensor scores = net.Forward(x);
    /// int[] predicted = scores.ArgMax();
    /// float[] probabilities = scores.Softmax();
    /// Console.WriteLine($"drawn 0 1 2 3, predicted {string.Join(' ', predicted)} (p = {probabilities[0]:0.00} for the first)");
    /// </code>
    /// </example>
    public Tensor Forward(Tensor input) => Inference.Run(this, input, static (m, x, t) => m.Forward(x, t));

    /// <summary>The layer's computation, called by <see cref="Forward(Tensor, Tape)"/> once the arguments are checked.</summary>
    protected abstract Tensor ForwardCore(Tensor input, Tape tape);

    /// <summary>
    /// The checks every forward makes before it runs: arguments, disposal, and that no other thread's step is
    /// using this module (the tape releases the claim when it is reset or disposed).
    /// </summary>
    private protected void BeginStep(Tensor input, Tape tape)
    {
        if (tape is null)
            throw new ArgumentNullException(nameof(tape), $"{Describe()}: Forward(x, tape) needs the Tape that records the training step; for inference call Forward(x), which needs none.");
        ArgumentNullException.ThrowIfNull(input);
        if (_disposed)
            throw new ObjectDisposedException(GetType().Name, $"{Describe()} was disposed, which freed its parameters.");
        tape.Claim(this);
    }

    /// <summary>Claims this module for the calling thread; false when it already held the claim (nested call).</summary>
    internal void Claim()
    {
        int thread = Environment.CurrentManagedThreadId;
        int holder = Interlocked.CompareExchange(ref _claimThread, thread, 0);
        if (holder != 0 && holder != thread)
            throw InAnotherThreadsStep(holder, thread);
        Interlocked.Increment(ref _claims);
    }

    /// <summary>Throws when another thread's step holds this module (its parameters' gradients and values are that step's).</summary>
    internal void ThrowIfClaimedElsewhere()
    {
        int holder = Volatile.Read(ref _claimThread), thread = Environment.CurrentManagedThreadId;
        if (holder != 0 && holder != thread)
            throw InAnotherThreadsStep(holder, thread);
    }

    private InvalidOperationException InAnotherThreadsStep(int holder, int thread) => new(
        $"{Describe()} is in a training step of thread {holder} (from its forward until that step's tape is reset or disposed); " +
        $"thread {thread} cannot run it, zero its gradients or step its optimiser at the same time. Give each thread its own replica of the network, or finish one step before the next.");

    /// <summary>Ends one claim made by <see cref="Claim"/> (called by the tape that holds it).</summary>
    internal void Release()
    {
        if (Interlocked.Decrement(ref _claims) == 0)
            Volatile.Write(ref _claimThread, 0);
    }

    private string Describe()
    {
        string text = ToString() ?? GetType().Name;
        int newline = text.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? text : text[..newline].TrimEnd('(', ' ');
    }

    /// <summary>Frees the parameters (with their optimiser state) and buffers of this module and its children.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (Parameter p in _parameters)
            p.Dispose();
        foreach ((string _, FeatureMatrix buffer) in OwnBuffers())
            buffer.Dispose();
        foreach (Module child in Children)
            child.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>True once <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>Every parameter of this module and its children, in a stable order.</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Parameters with dotted names (<c>2.weight</c>), as saved in checkpoints.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        foreach (Parameter p in _parameters)
            yield return (p.Name, p);
        for (int i = 0; i < Children.Count; i++)
            foreach ((string name, Parameter p) in Children[i].NamedParameters())
                yield return ($"{i}.{name}", p);
    }

    /// <summary>
    /// Non-trainable state saved with the parameters (batch-norm running statistics), with dotted names.
    /// </summary>
    public IEnumerable<(string Name, FeatureMatrix Buffer)> NamedBuffers()
    {
        foreach ((string name, FeatureMatrix b) in OwnBuffers())
            yield return (name, b);
        for (int i = 0; i < Children.Count; i++)
            foreach ((string name, FeatureMatrix b) in Children[i].NamedBuffers())
                yield return ($"{i}.{name}", b);
    }

    /// <summary>This module's own buffers.</summary>
    protected virtual IEnumerable<(string Name, FeatureMatrix Buffer)> OwnBuffers() => [];

    /// <summary>Training mode (or evaluation mode with <c>false</c>), recursively.</summary>
    public void Train(bool training = true)
    {
        IsTraining = training;
        foreach (Module child in Children)
            child.Train(training);
    }

    /// <summary>Sets this module's mode alone, not its children's.</summary>
    internal void SetOwnMode(bool training) => IsTraining = training;

    /// <summary>Evaluation mode, recursively.</summary>
    public void Eval() => Train(false);

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGrad()
    {
        foreach (Parameter p in Parameters())
            p.ZeroGrad();
    }

    /// <summary>Moves every parameter and buffer to <paramref name="backend"/>; returns this module.</summary>
    public Module To(ISparseBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        foreach (Parameter p in _parameters)
            p.MoveTo(backend);
        MoveOwnBuffers(backend);
        foreach (Module child in Children)
            child.To(backend);
        return this;
    }

    /// <summary>Moves this module's own buffers to <paramref name="backend"/>.</summary>
    protected virtual void MoveOwnBuffers(ISparseBackend backend)
    {
    }

    /// <summary>A copy of <paramref name="matrix"/> on <paramref name="backend"/> (the same matrix when it can already reach it); frees the original.</summary>
    protected internal static FeatureMatrix MoveMatrix(FeatureMatrix matrix, ISparseBackend backend)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (backend.CanAccess(matrix))
            return matrix;
        FeatureMatrix moved = backend.Allocate(matrix.Rows, matrix.Columns);
        backend.Upload(matrix.ToArray(), moved);
        matrix.Dispose();
        return moved;
    }

    /// <summary>Re-initialises the parameters of this module and its children from one seeded generator.</summary>
    public void ResetParameters(int seed) => ResetRecursive(new Random(seed));

    /// <summary>Initialises this module's own parameters.</summary>
    protected virtual void ResetOwnParameters(Random random)
    {
    }

    /// <summary>Declares a parameter (on the shared CPU backend until <see cref="To"/>).</summary>
    protected Parameter AddParameter(string name, int rows, int columns)
    {
        Parameter p = new(name, Initialization.DefaultBackend, rows, columns) { Owner = this };
        _parameters.Add(p);
        return p;
    }

    /// <summary>Throws unless <paramref name="parameter"/> lives on the input's backend.</summary>
    protected static void CheckBackend(Parameter parameter, Tensor input)
    {
        if (!input.Backend.CanAccess(parameter.Value))
            throw new InvalidOperationException($"Parameter {parameter.Name} is on backend '{parameter.Backend.Name}' but the input is on '{input.Backend.Name}'; call module.To(backend).");
    }

    private void ResetRecursive(Random random)
    {
        ResetOwnParameters(random);
        foreach (Module child in Children)
            child.ResetRecursive(random);
    }
}

/// <summary>
/// A module with a known input and output type: its forwards take and return those types, so no cast is needed
/// (e.g. a sparse stack ending in <see cref="SparseToDense"/> and <see cref="Linear"/> returns a <see cref="DenseTensor"/>).
/// </summary>
/// <typeparam name="TInput">The tensor type the module reads.</typeparam>
/// <typeparam name="TOutput">The tensor type it returns.</typeparam>
public abstract class Module<TInput, TOutput> : Module
    where TInput : Tensor
    where TOutput : Tensor
{
    /// <summary>Runs the layer; backward work is recorded on <paramref name="tape"/>, which owns the result.</summary>
    /// <exception cref="ArgumentNullException">The input or the tape is null.</exception>
    /// <exception cref="ObjectDisposedException">The tape or this module was disposed.</exception>
    /// <exception cref="InvalidOperationException">Another thread's step is using this module.</exception>
    public TOutput Forward(TInput input, Tape tape)
    {
        BeginStep(input, tape);
        return ForwardCore(input, tape);
    }

    /// <summary>
    /// Inference in evaluation mode, recording nothing; the result is the caller's to dispose (see
    /// <see cref="Module.Forward(Tensor)"/>).
    /// </summary>
    public TOutput Forward(TInput input) => Inference.Run(this, input, static (m, x, t) => ((Module<TInput, TOutput>)m).Forward((TInput)x, t));

    /// <summary>The layer's computation, called once the arguments are checked.</summary>
    protected abstract TOutput ForwardCore(TInput input, Tape tape);

    /// <inheritdoc/>
    protected sealed override Tensor ForwardCore(Tensor input, Tape tape) =>
        ForwardCore(input as TInput ?? throw new ArgumentException($"{this} needs a {typeof(TInput).Name} input, got {input?.GetType().Name ?? "null"}.", nameof(input)), tape);
}

/// <summary>A module from sparse tensors to sparse tensors.</summary>
public abstract class SparseModule : Module<SparseTensor, SparseTensor>
{
    /// <summary>Spatial size of the output for an input of size <paramref name="inputSize"/>.</summary>
    public virtual SpatialSize OutputSpatialSize(SpatialSize inputSize) => inputSize;
}

/// <summary>A module from dense tensors to dense tensors.</summary>
public abstract class DenseModule : Module<DenseTensor, DenseTensor>
{
}

/// <summary>Told of each module's forward on the thread that set <see cref="Module.Observer"/>.</summary>
internal interface IForwardObserver
{
    /// <summary>Before <paramref name="module"/> runs on <paramref name="input"/> (recording on <paramref name="tape"/>).</summary>
    void Before(Module module, Tensor input, Tape tape);

    /// <summary>After <paramref name="module"/> ran.</summary>
    void After(Module module, Tape tape);
}
