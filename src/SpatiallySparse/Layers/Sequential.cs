using SpatiallySparse.Autograd;

namespace SpatiallySparse.Layers;

/// <summary>Runs its children in order; sparse and dense modules may be mixed (e.g. a sparse stack, <see cref="SparseToDense"/>, then <see cref="Linear"/>).</summary>
public sealed class Sequential : Module
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

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tape tape)
    {
        Tensor x = input;
        foreach (Module m in _modules)
            x = m.Forward(x, tape);
        return x;
    }

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
