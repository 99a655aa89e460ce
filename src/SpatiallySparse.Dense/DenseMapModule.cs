using SpatiallySparse.Autograd;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Dense;

/// <summary>A module from dense feature maps to dense feature maps (the dense twin of <see cref="SparseModule"/>).</summary>
public abstract class DenseMapModule : Module<DenseFeatureMap, DenseFeatureMap>
{
}
