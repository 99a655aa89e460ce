using SpatiallySparse.Autograd;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Dense;

/// <summary>A module from dense feature maps to dense feature maps (the dense twin of <see cref="SparseModule"/>).</summary>
public abstract class DenseMapModule : Module
{
    /// <summary>Runs the layer on a dense batch of feature maps.</summary>
    public abstract DenseFeatureMap Forward(DenseFeatureMap input, Tape tape);

    /// <inheritdoc/>
    public sealed override Tensor Forward(Tensor input, Tape tape) =>
        Forward(input as DenseFeatureMap ?? throw new ArgumentException($"{this} needs a DenseFeatureMap input, got {input?.GetType().Name ?? "null"}."), tape);
}
