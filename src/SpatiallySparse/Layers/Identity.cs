using SpatiallySparse.Autograd;

namespace SpatiallySparse.Layers;

/// <summary>Returns its input unchanged: the skip branch of a <see cref="ConcatenateBranches"/> (a U-Net's encoder features).</summary>
public sealed class Identity : SparseModule
{
    /// <inheritdoc/>
    protected override SparseTensor ForwardCore(SparseTensor input, Tape tape) => input;

    /// <summary><c>Identity</c>.</summary>
    public override string ToString() => "Identity";
}
