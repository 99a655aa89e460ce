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

    /// <summary>True while a tape owns this tensor (frees it on reset or dispose); false when a caller owns it. A flag, not a reference, so the tensor objects a step hands out stay as small as before.</summary>
    internal bool OwnedByTape { get => Flag(OwnedByTapeBit); set => SetFlag(OwnedByTapeBit, value); }

    /// <summary>The exception for a read after this tensor was freed, naming who freed it.</summary>
    private protected ObjectDisposedException Freed() => new(GetType().Name, OwnedByTape
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
    internal bool NeedsGradient { get => Flag(NeedsGradientBit); set => SetFlag(NeedsGradientBit, value); }

    /// <summary>The gradient, allocated (zero) on first use.</summary>
    internal FeatureMatrix GradOrCreate() => Grad ??= Backend.Allocate(_features.Rows, _features.Columns);

    /// <summary>A first gradient, uninitialised, for an op that assigns every element (no zeroing pass).</summary>
    internal FeatureMatrix CreateGradForOverwrite() =>
        Grad is null ? Grad = Backend.AllocateForOverwrite(Features.Rows, Features.Columns) : throw new InvalidOperationException("The gradient already exists.");

    /// <summary>
    /// Set by <see cref="Layers.Sequential"/> on an intermediate that only the library's own layers ever saw:
    /// disposing it recycles the tensor and its matrices (see <see cref="FeatureMatrix.Recyclable"/>).
    /// </summary>
    internal bool Recyclable { get => Flag(RecyclableBit); set => SetFlag(RecyclableBit, value); }

    /// <summary>True once disposed.</summary>
    private protected bool Disposed { get => Flag(DisposedBit); private set => SetFlag(DisposedBit, value); }

    /// <summary>For <see cref="SparseTensor.OwnsMetadata"/>: kept here so that the derived tensor adds no field.</summary>
    private protected bool OwnsMetadataFlag { get => Flag(OwnsMetadataBit); set => SetFlag(OwnsMetadataBit, value); }

    // The flags in one byte rather than one bool each: the tensor objects a training step hands its caller stay as
    // small as they were before ownership was tracked (a warm step's allocation is those objects; one more bool in
    // SparseTensor made it 8 bytes larger).
    private const byte NeedsGradientBit = 1, RecyclableBit = 2, DisposedBit = 4, OwnedByTapeBit = 8, OwnsMetadataBit = 16;
    private byte _flags = NeedsGradientBit;

    /// <summary>
    /// The generation of a pooled object a derived tensor refers to, stamped when it was assigned, so that a use after
    /// that object was recycled can be caught (<see cref="SparseTensor"/>: its grid's). It lives here, beside the flags,
    /// because the runtime then packs a <see cref="SparseTensor"/> into 72 bytes instead of 80; the step's
    /// allocation is a few such objects.
    /// </summary>
    private protected int GuardGeneration;

    private bool Flag(byte bit) => (_flags & bit) != 0;

    private void SetFlag(byte bit, bool value) => _flags = value ? (byte)(_flags | bit) : (byte)(_flags & ~bit);

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
        (_features, Grad, _flags) = (features, null, NeedsGradientBit);
    }
}
