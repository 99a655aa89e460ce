using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Layers;

/// <summary>
/// Runs its children in order; sparse and dense modules may be mixed (e.g. a sparse stack, <see cref="SparseToDense"/>,
/// then <see cref="Linear"/>). <see cref="Sequential{TInput, TOutput}"/> is the same chain with typed forwards.
/// </summary>
public partial class Sequential : Module
{
    private readonly List<Module> _modules;

    /// <summary>Creates a chain of modules.</summary>
    public Sequential(params IEnumerable<Module> modules)
    {
        _modules = [.. modules];
        for (int i = 0; i < _modules.Count; i++)
            if (_modules[i] is null)
                throw new ArgumentNullException(nameof(modules), $"Module {i} is null.");
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Module> Children => _modules;

    /// <summary>Appends a module; returns this.</summary>
    public Sequential Add(Module module)
    {
        _modules.Add(module ?? throw new ArgumentNullException(nameof(module)));
        return this;
    }

    /// <summary>
    /// Whether a convolution followed by a <see cref="LeakyRelu"/> with slope &gt;= 0 runs as one fused op (the
    /// activation applied to the convolution's output while it is in cache; its backward masks the gradient in
    /// place). Same values and gradients either way; default on. The activation's output gradient is then
    /// overwritten by the convolution's during backward.
    /// </summary>
    public bool FuseActivations { get; set; } = true;

    /// <summary>
    /// Whether a <see cref="Convolution"/> with few input channels, its fused activation (so only with
    /// <see cref="FuseActivations"/>) and a <see cref="MaxPooling"/> whose windows tile the grid run as one op on
    /// a network's input (the first block of DeepCNet): the convolution's output, the largest matrix of the step,
    /// is then never stored. Same values; gradients up to summation order. Default on.
    /// </summary>
    public bool FusePooling { get; set; } = true;

    /// <inheritdoc/>
    protected override Tensor ForwardCore(Tensor input, Tape tape) => Forward(input, tape, afterStep: null);

    /// <summary>
    /// The forward, calling <paramref name="afterStep"/> with each step's first module index (a measuring hook).
    /// An intermediate output that the library's own layers made and read can reach no caller (tensors refer to
    /// no other tensor, and layers keep their inputs only in backward nodes), so it is marked
    /// <see cref="Tensor.Recyclable"/>: freeing the step then recycles its objects instead of leaving them to the
    /// GC. A user module anywhere in the chain might keep what it sees, so then nothing is marked.
    /// </summary>
    internal Tensor Forward(Tensor input, Tape tape, Action<int>? afterStep)
    {
        bool recycle = OnlyLibraryModules();
        Tensor x = input;
        for (int i = 0; i < _modules.Count; i += ModulesInStep(i))
        {
            Tensor y = ForwardStep(i, x, tape);
            afterStep?.Invoke(i);
            if (recycle && !ReferenceEquals(x, input) && !ReferenceEquals(x, y))
                x.Recyclable = true;
            x = y;
        }
        return x;
    }

    /// <summary>True when every module, nested ones included (inside skip connections too), is one of this library's own types.</summary>
    private bool OnlyLibraryModules() => Branches.LibraryOnly(this);

    /// <summary>How many modules, starting at <paramref name="index"/>, <see cref="ForwardStep"/> runs: 2 or 3 when fused.</summary>
    internal int ModulesInStep(int index) => PoolingAfter(index) is not null ? 3 : FusedSlope(index) is null ? 1 : 2;

    /// <summary>Runs module <paramref name="index"/>, fused with the activation (and pooling) after it where possible.</summary>
    internal Tensor ForwardStep(int index, Tensor x, Tape tape)
    {
        if (FusedSlope(index) is not float slope)
            return _modules[index].Forward(x, tape);
        for (int i = index; i < index + ModulesInStep(index); i++)
            tape.Claim(_modules[i]);  // the fused op runs them without their own Forward
        SparseTensor input = x as SparseTensor
            ?? throw new ArgumentException($"{_modules[index]} needs a SparseTensor input, got {x?.GetType().Name ?? "null"}.");
        // The fused op bypasses the module's own Forward: a measuring observer is told here instead.
        IForwardObserver? observer = Observer;
        observer?.Before(_modules[index], input, tape);
        Tensor output = PoolingAfter(index) is MaxPooling pool
            ? ((Convolution)_modules[index]).ForwardPooled(input, tape, slope, pool)
            : ((IFusesLeakyRelu)_modules[index]).Forward(input, tape, slope);
        observer?.After(_modules[index], tape);
        return output;
    }

    private float? FusedSlope(int index) =>
        FuseActivations && _modules[index] is IFusesLeakyRelu && index + 1 < _modules.Count
            && _modules[index + 1] is LeakyRelu { Slope: >= 0f } relu ? relu.Slope : null;

    private MaxPooling? PoolingAfter(int index) =>
        FusePooling && FusedSlope(index) is not null && _modules[index] is Convolution conv && index + 2 < _modules.Count
            && _modules[index + 2] is MaxPooling pool && ConvolutionPoolCore.Fits(conv, pool) ? pool : null;

    /// <summary>Spatial size after the leading sparse modules, for an input of <paramref name="inputSize"/>.</summary>
    public SpatialSize OutputSpatialSize(SpatialSize inputSize)
    {
        SpatialSize size = inputSize;
        foreach (Module m in _modules)
            if (m is SparseModule s)
                size = s.OutputSpatialSize(size);
        return size;
    }

    /// <summary>One line per module.</summary>
    public override string ToString() => "Sequential(\n" + string.Concat(_modules.Select((m, i) => $"  ({i}) {m}\n")) + ")";
}

/// <summary>
/// A <see cref="Sequential"/> chain whose input and output types are declared, so its forwards need no cast:
/// <c>DenseTensor logits = net.Forward(x, tape)</c> for a sparse network ending in a classifier.
/// </summary>
/// <example>
/// A network of your own (from <c>samples/Demo</c>): sparse 2D input, four logits per sample.
/// <code language="csharp">
/// using Sequential&lt;SparseTensor, DenseTensor&gt; net = new(
///     new SubmanifoldConvolution(dimension: 2, inputChannels: 1, outputChannels: 16, filterSize: 3, seed: 1),
///     new BatchNormalization(16),
///     new LeakyRelu(0.1f),
///     new MaxPooling(dimension: 2, poolSize: 2, stride: 2, includeGround: false),
///     new SubmanifoldConvolution(2, 16, 32, 3, seed: 2),
///     new BatchNormalization(32),
///     new LeakyRelu(0.1f),
///     new GlobalAveragePooling(),
///     new Linear(32, 4, seed: 3));
/// </code>
/// </example>
/// <typeparam name="TInput">The tensor type the first module reads.</typeparam>
/// <typeparam name="TOutput">The tensor type the last module returns.</typeparam>
public sealed class Sequential<TInput, TOutput> : Sequential
    where TInput : Tensor
    where TOutput : Tensor
{
    /// <summary>Creates a chain of modules (checked against the declared types where the modules declare theirs).</summary>
    public Sequential(params IEnumerable<Module> modules)
        : base(modules)
    {
        ModuleTypes.CheckChain(this, typeof(TInput), typeof(TOutput));
    }

    /// <summary>Runs the chain; backward work is recorded on <paramref name="tape"/>, which owns the result.</summary>
    /// <exception cref="ArgumentNullException">The input or the tape is null.</exception>
    /// <exception cref="InvalidOperationException">The last module returned another type, or another thread's step is using this network.</exception>
    public TOutput Forward(TInput input, Tape tape) => Typed(Forward((Tensor)input, tape));

    /// <summary>Inference in evaluation mode, recording nothing; the result is the caller's to dispose (see <see cref="Module.Forward(Tensor)"/>).</summary>
    public TOutput Forward(TInput input) => Typed(Forward((Tensor)input));

    /// <summary>Moves every parameter and buffer to <paramref name="backend"/>; returns this network, typed.</summary>
    public new Sequential<TInput, TOutput> To(ISparseBackend backend)
    {
        base.To(backend);
        return this;
    }

    private TOutput Typed(Tensor y) => y as TOutput
        ?? throw new InvalidOperationException($"This Sequential is declared to return {typeof(TOutput).Name}, but its last module returned {y.GetType().Name}.");
}
