using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends;

public partial interface ISparseBackend
{
    /// <summary>
    /// Gather-GEMM-scatter: for every tap t and pair (i, o) of <paramref name="rules"/>,
    /// output[o] += input[i] x W_t, where <paramref name="weights"/> is (taps x Cin) x Cout, tap-major.
    /// </summary>
    void ConvolutionForward(FeatureMatrix input, FeatureMatrix weights, RuleBook rules, FeatureMatrix output);

    /// <summary>
    /// Backward of <see cref="ConvolutionForward"/>: gradInput[i] += gradOutput[o] x W_t^T (skipped when
    /// <paramref name="gradInput"/> is null) and gradWeights_t += input[i]^T x gradOutput[o]. With
    /// <paramref name="overwriteGradInput"/>, gradInput is assigned instead (its old contents are ignored: a fresh
    /// buffer needs no zeroing pass).
    /// </summary>
    void ConvolutionBackward(FeatureMatrix input, FeatureMatrix gradOutput, FeatureMatrix weights, RuleBook rules,
        FeatureMatrix? gradInput, FeatureMatrix gradWeights, bool overwriteGradInput = false);

    /// <summary>destination (Cin x Cout) = sum over taps of W_t: the weights as seen by a wholly inactive window.</summary>
    void SumTaps(FeatureMatrix weights, FeatureMatrix destination);

    /// <summary>gradWeights_t += source for every tap: the adjoint of <see cref="SumTaps"/>.</summary>
    void BroadcastTapsAdd(FeatureMatrix source, FeatureMatrix gradWeights);

    /// <summary>c += op(a) x op(b), op = transpose when requested. Dense layers and ground states use it.</summary>
    void MatMulAdd(FeatureMatrix a, bool transposeA, FeatureMatrix b, bool transposeB, FeatureMatrix c);
}
