using SpatiallySparse.Backends;

namespace SpatiallySparse.Autograd;

/// <summary>
/// A trainable matrix with its gradient. Gradients accumulate over backward passes until
/// <see cref="ZeroGrad"/>; optimisers keep their state (e.g. velocity) on the parameter's backend.
/// </summary>
public sealed class Parameter : IDisposable
{
    internal Parameter(string name, ISparseBackend backend, int rows, int columns)
    {
        Name = name;
        Value = backend.Allocate(rows, columns);
        Grad = backend.Allocate(rows, columns);
    }

    /// <summary>Name, unique within a module tree once prefixed by the module path (e.g. <c>3.weight</c>).</summary>
    public string Name { get; }

    /// <summary>The values.</summary>
    public FeatureMatrix Value { get; private set; }

    /// <summary>Accumulated gradient.</summary>
    public FeatureMatrix Grad { get; private set; }

    /// <summary>Optimiser state (momentum buffer), allocated on first use.</summary>
    internal FeatureMatrix? Velocity { get; set; }

    /// <summary>Backend holding the values.</summary>
    public ISparseBackend Backend => Value.Backend;

    /// <summary>Rows x columns.</summary>
    public int Rows => Value.Rows;

    /// <summary>Columns.</summary>
    public int Columns => Value.Columns;

    /// <summary>Sets the gradient to zero.</summary>
    /// <exception cref="InvalidOperationException">Another thread's step is using the module that owns this parameter.</exception>
    public void ZeroGrad()
    {
        ThrowIfInAnotherThreadsStep();
        Backend.Fill(Grad, 0f);
    }

    /// <summary>The module that declared this parameter (null for one made outside a module).</summary>
    internal Layers.Module? Owner { get; set; }

    /// <summary>Throws when another thread's step holds the owning module: its gradients are that step's until its tape is freed.</summary>
    internal void ThrowIfInAnotherThreadsStep() => Owner?.ThrowIfClaimedElsewhere();

    /// <summary>Copies the values to the host.</summary>
    public float[] GetValues() => Value.ToArray();

    /// <summary>Replaces the values from host memory (length Rows x Columns).</summary>
    public void SetValues(ReadOnlySpan<float> values) => Backend.Upload(values, Value);

    /// <summary>Moves the values (and zeroes the gradient and optimiser state) to <paramref name="backend"/>.</summary>
    public void MoveTo(ISparseBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (backend.CanAccess(Value))
            return;
        int rows = Rows, columns = Columns;
        float[] values = GetValues();
        Dispose();
        Value = backend.Allocate(rows, columns);
        backend.Upload(values, Value);
        Grad = backend.Allocate(rows, columns);
    }

    /// <summary>Frees values, gradient and optimiser state.</summary>
    public void Dispose()
    {
        Value.Dispose();
        Grad.Dispose();
        Velocity?.Dispose();
        Velocity = null;
    }

    /// <summary>E.g. <c>weight (576 x 64)</c>.</summary>
    public override string ToString() => $"{Name} ({Rows} x {Columns})";
}
