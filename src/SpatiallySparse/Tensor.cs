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
        Features = features ?? throw new ArgumentNullException(nameof(features));
    }

    /// <summary>The values: one row per active site (sparse) or per sample (dense).</summary>
    public FeatureMatrix Features { get; private set; }

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
    internal FeatureMatrix GradOrCreate() => Grad ??= Backend.Allocate(Features.Rows, Features.Columns);

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
        Free(Features);
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
        (Features, Grad, NeedsGradient, Recyclable, Disposed) = (features, null, true, false, false);
    }
}
