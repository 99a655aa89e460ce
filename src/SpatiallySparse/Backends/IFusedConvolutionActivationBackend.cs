using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends;

/// <summary>
/// Optional capability of an <see cref="ISparseBackend"/>: a convolution that starts from a per-sample row and ends
/// in a leaky ReLU in one pass over its output. The layers use it when the backend implements it and otherwise
/// compose the same values from the primitives (fill, <see cref="ISparseBackend.AddBySample"/>,
/// <see cref="ISparseBackend.ConvolutionForward"/>, <see cref="ISparseBackend.LeakyReluForward"/> and, backward,
/// <see cref="ISparseBackend.LeakyReluBackward"/>), so a backend need not implement it to be correct.
/// </summary>
public interface IFusedConvolutionActivationBackend : ISparseBackend
{
    /// <summary>
    /// <see cref="ISparseBackend.ConvolutionForward"/> into a fresh <paramref name="output"/>, whose old contents are
    /// ignored: each row o first takes the row of its sample (in <paramref name="outputGrid"/>) of
    /// <paramref name="perSampleBase"/> (batch x Cout; null: zeros), then the products, then, with
    /// <paramref name="leakySlope"/> (finite, &gt;= 0), a leaky ReLU with that slope. The output is written once.
    /// </summary>
    void ConvolutionForwardFrom(FeatureMatrix? perSampleBase, SparseGrid outputGrid, FeatureMatrix input, FeatureMatrix weights,
        RuleBook rules, FeatureMatrix output, float? leakySlope = null);

    /// <summary>
    /// grad *= (y &gt; 0 ? 1 : slope), in place: the backward of the leaky ReLU fused into
    /// <see cref="ConvolutionForwardFrom"/>, whose output is <paramref name="y"/> (for slope &gt;= 0, required,
    /// y &gt; 0 exactly where its input was).
    /// </summary>
    void LeakyReluGradientInPlace(FeatureMatrix y, FeatureMatrix grad, float slope);
}
