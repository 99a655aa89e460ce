using SpatiallySparse.Backends;

namespace SpatiallySparse;

/// <summary>
/// Base of the library's tensors: a feature matrix on a backend, plus its gradient once backward reaches it.
/// Tensors made during a step are owned by that step's <see cref="Autograd.Tape"/> and freed with it.
/// </summary>
public abstract class Tensor : IDisposable
{
    /// <summary>Wraps <paramref name="features"/>; the tensor owns it from now on.</summary>
    protected Tensor(FeatureMatrix features)
    {
        _features = features ?? throw new ArgumentNullException(nameof(features));
    }

    private FeatureMatrix _features;

    /// <summary>The values: one row per active site (sparse) or per sample (dense).</summary>
    /// <exception cref="ObjectDisposedException">The tensor was freed, by its tape or by its owner; the message says which.</exception>
    public FeatureMatrix Features => Disposed ? throw Freed() : _features;

    /// <summary>The tape that owns this tensor (frees it on reset or dispose), or null when a caller owns it.</summary>
    internal Autograd.Tape? OwnerTape { get; set; }

    /// <summary>The exception for a read after this tensor was freed, naming who freed it.</summary>
    private protected ObjectDisposedException Freed() => new(GetType().Name, OwnerTape is not null
        ? $"This {GetType().Name} was freed when the Tape that owned it was reset or disposed. Read what you need (ToArray, predictions) before the step ends, or run inference with Forward(x), whose result you own."
        : $"This {GetType().Name} was disposed by its owner (the caller that received it from an inference Forward or created it).");

    /// <summary>Gradient of the loss with respect to <see cref="Features"/>, once backward has produced one.</summary>
    public FeatureMatrix? Grad { get; private set; }

    /// <summary>The backend holding the values.</summary>
    public ISparseBackend Backend => Features.Backend;

    /// <summary>Number of columns (channels) of <see cref="Features"/>.</summary>
    public int Channels => Features.Columns;

    /// <summary>
    /// False when nothing reads this tensor's gradient (an input batch that did not ask for one), so backward
    /// may skip computing it. Layer outputs always need theirs.
    /// </summary>
    internal bool NeedsGradient { get; set; } = true;

    /// <summary>The gradient, allocated (zero) on first use.</summary>
    internal FeatureMatrix GradOrCreate() => Grad ??= Backend.Allocate(_features.Rows, _features.Columns);

    /// <summary>A first gradient, uninitialised, for an op that assigns every element (no zeroing pass).</summary>
    internal FeatureMatrix CreateGradForOverwrite() =>
        Grad is null ? Grad = Backend.AllocateForOverwrite(Features.Rows, Features.Columns) : throw new InvalidOperationException("The gradient already exists.");

    /// <summary>
    /// Set by <see cref="Layers.Sequential"/> on an intermediate that only the library's own layers ever saw:
    /// disposing it recycles the tensor and its matrices (see <see cref="FeatureMatrix.Recyclable"/>).
    /// </summary>
    internal bool Recyclable { get; set; }

    /// <summary>True once disposed.</summary>
    private protected bool Disposed { get; private set; }

    /// <summary>Frees values and gradients.</summary>
    public virtual void Dispose()
    {
        if (Disposed)
            return;
        Disposed = true;
        Free(_features);
        Free(Grad);
        if (Recyclable)
            Grad = null;  // a pooled tensor keeps no handle that a later allocation may reuse
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes one of this tensor's matrices, letting it be recycled when the tensor is <see cref="Recyclable"/>.</summary>
    private protected void Free(FeatureMatrix? matrix)
    {
        if (matrix is null || matrix.IsDisposed)
            return;
        matrix.Recyclable = Recyclable;
        matrix.Dispose();
    }

    /// <summary>Makes a recycled (disposed) tensor a live one over <paramref name="features"/>.</summary>
    private protected void Reinitialize(FeatureMatrix features)
    {
        (_features, Grad, NeedsGradient, Recyclable, Disposed, OwnerTape) = (features, null, true, false, false, null);
    }
}
