using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends;

public partial interface ISparseBackend
{
    /// <summary>
    /// Gather-GEMM-scatter: for every tap t and pair (i, o) of <paramref name="rules"/>,
    /// output[o] += input[i] x W_t, where <paramref name="weights"/> is (taps x Cin) x Cout, tap-major.
    /// With <paramref name="leakySlope"/> (finite, &gt;= 0), a leaky ReLU with that slope is then applied to every
    /// output row in place (fused: on the CPU each block of rows while it is still in cache).
    /// </summary>
    void ConvolutionForward(FeatureMatrix input, FeatureMatrix weights, RuleBook rules, FeatureMatrix output, float? leakySlope = null);

    /// <summary>
    /// <see cref="ConvolutionForward"/> into a fresh <paramref name="output"/>, whose old contents are ignored:
    /// each row o first takes the row of its sample (in <paramref name="outputGrid"/>) of
    /// <paramref name="perSampleBase"/> (batch x Cout; null: zeros), then the products, then the optional leaky
    /// ReLU. On the CPU all three happen per block of rows in cache, so the output is written to memory once.
    /// </summary>
    void ConvolutionForwardFrom(FeatureMatrix? perSampleBase, SparseGrid outputGrid, FeatureMatrix input, FeatureMatrix weights,
        RuleBook rules, FeatureMatrix output, float? leakySlope = null);

    /// <summary>
    /// Throws unless <paramref name="outputGrid"/> has a row per output row and <paramref name="perSampleBase"/>
    /// (when given) a row per sample and the output's channels: the checks every backend's
    /// <see cref="ConvolutionForwardFrom"/> makes before its own.
    /// </summary>
    public static void CheckForwardFrom(FeatureMatrix? perSampleBase, SparseGrid outputGrid, FeatureMatrix output)
    {
        ArgumentNullException.ThrowIfNull(outputGrid);
        if (outputGrid.ActiveCount != output.Rows)
            throw new ArgumentException($"Convolution: the output grid has {outputGrid.ActiveCount} active sites, the output {output.Rows} rows.");
        if (perSampleBase is not null && (perSampleBase.Rows != outputGrid.BatchSize || perSampleBase.Columns != output.Columns))
            throw new ArgumentException($"Convolution per-sample start: expected {outputGrid.BatchSize} x {output.Columns}, got {perSampleBase.Rows} x {perSampleBase.Columns}.");
    }

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
