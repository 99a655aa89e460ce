using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Layers;

/// <summary>
/// Base of every layer and network: parameters, children, train/eval mode and a forward pass that records
/// its backward work on a <see cref="Tape"/>. Parameters start on the shared CPU backend; <see cref="To"/> moves them.
/// </summary>
public abstract class Module
{
    private readonly List<Parameter> _parameters = [];

    /// <summary>True in training mode (dropout active, batch statistics); false after <see cref="Eval"/>.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Direct sub-modules.</summary>
    public virtual IReadOnlyList<Module> Children => [];

    /// <summary>Runs the layer; backward work is recorded on <paramref name="tape"/>, which owns the result.</summary>
    public abstract Tensor Forward(Tensor input, Tape tape);

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
        Parameter p = new(name, Initialization.DefaultBackend, rows, columns);
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

/// <summary>A module from sparse tensors to sparse tensors.</summary>
public abstract class SparseModule : Module
{
    /// <summary>Runs the layer on a sparse batch.</summary>
    public abstract SparseTensor Forward(SparseTensor input, Tape tape);

    /// <summary>Spatial size of the output for an input of size <paramref name="inputSize"/>.</summary>
    public virtual SpatialSize OutputSpatialSize(SpatialSize inputSize) => inputSize;

    /// <inheritdoc/>
    public sealed override Tensor Forward(Tensor input, Tape tape) =>
        Forward(input as SparseTensor ?? throw new ArgumentException($"{this} needs a SparseTensor input, got {input?.GetType().Name ?? "null"}."), tape);
}

/// <summary>A module from dense tensors to dense tensors.</summary>
public abstract class DenseModule : Module
{
    /// <summary>Runs the layer on a dense batch.</summary>
    public abstract DenseTensor Forward(DenseTensor input, Tape tape);

    /// <inheritdoc/>
    public sealed override Tensor Forward(Tensor input, Tape tape) =>
        Forward(input as DenseTensor ?? throw new ArgumentException($"{this} needs a DenseTensor input, got {input?.GetType().Name ?? "null"}."), tape);
}
