namespace SpatiallySparse.Geometry;

/// <summary>What kind of neighbourhood a rulebook describes.</summary>
internal enum RuleKind
{
    /// <summary>Valid (stride 1) or strided convolution and pooling: output site active when any site of its window is.</summary>
    Convolution,

    /// <summary>Submanifold convolution: output active set equals the input active set.</summary>
    Submanifold,

    /// <summary>Transposed (strided) convolution, from a coarse grid to a fine one.</summary>
    Deconvolution,
}

/// <summary>Cache key of a rulebook: kind, input spatial size, filter size and stride.</summary>
internal readonly record struct RuleBookKey(RuleKind Kind, SpatialSize InputSize, SpatialSize FilterSize, SpatialSize Stride);
