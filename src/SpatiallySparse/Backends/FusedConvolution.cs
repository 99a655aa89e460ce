using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends;

/// <summary>
/// The convolution with a per-sample start and a leaky ReLU as the layers run it: by the backend when it is an
/// <see cref="IFusedConvolutionActivationBackend"/>, else composed from the primitives, with the same values.
/// </summary>
internal static class FusedConvolution
{
    /// <summary><see cref="IFusedConvolutionActivationBackend.ConvolutionForwardFrom"/> on any backend.</summary>
    public static void ForwardFrom(ISparseBackend be, FeatureMatrix? perSampleBase, SparseGrid outputGrid, FeatureMatrix input, FeatureMatrix weights,
        RuleBook rules, FeatureMatrix output, float? leakySlope)
    {
        if (be is IFusedConvolutionActivationBackend fused)
        {
            fused.ConvolutionForwardFrom(perSampleBase, outputGrid, input, weights, rules, output, leakySlope);
            return;
        }
        CheckForwardFrom(perSampleBase, outputGrid, output);
        if (leakySlope is float slope)
            CheckFusedSlope(slope);
        be.Fill(output, 0f);
        if (perSampleBase is not null)
            be.AddBySample(perSampleBase, outputGrid, output);
        be.ConvolutionForward(input, weights, rules, output);
        if (leakySlope is float s)
            be.LeakyReluForward(output, output, s);
    }

    /// <summary><see cref="IFusedConvolutionActivationBackend.LeakyReluGradientInPlace"/> on any backend.</summary>
    public static void GradientInPlace(ISparseBackend be, FeatureMatrix y, FeatureMatrix grad, float slope)
    {
        if (be is IFusedConvolutionActivationBackend fused)
        {
            fused.LeakyReluGradientInPlace(y, grad, slope);
            return;
        }
        CheckFusedSlope(slope);
        // The output's sign stands in for the input's (slope >= 0), and the primitive accumulates, so into zeros.
        using FeatureMatrix masked = be.Allocate(grad.Rows, grad.Columns);
        be.LeakyReluBackward(y, grad, masked, slope);
        be.Copy(masked, grad);
    }

    /// <summary>
    /// Throws unless <paramref name="slope"/> can be fused: the backward of a fused leaky ReLU reads its mask from
    /// the output, which has the input's sign only for finite slopes &gt;= 0.
    /// </summary>
    public static void CheckFusedSlope(float slope)
    {
        if (!(slope >= 0f) || !float.IsFinite(slope))
            throw new ArgumentOutOfRangeException(nameof(slope), $"A leaky ReLU fused into the op before it needs a finite slope >= 0, got {slope}.");
    }

    /// <summary>
    /// Throws unless <paramref name="outputGrid"/> has a row per output row and <paramref name="perSampleBase"/>
    /// (when given) a row per sample and the output's channels: the checks every
    /// <see cref="IFusedConvolutionActivationBackend.ConvolutionForwardFrom"/> makes before its own.
    /// </summary>
    public static void CheckForwardFrom(FeatureMatrix? perSampleBase, SparseGrid outputGrid, FeatureMatrix output)
    {
        ArgumentNullException.ThrowIfNull(outputGrid);
        if (outputGrid.ActiveCount != output.Rows)
            throw new ArgumentException($"Convolution: the output grid has {outputGrid.ActiveCount} active sites, the output {output.Rows} rows.");
        if (perSampleBase is not null && (perSampleBase.Rows != outputGrid.BatchSize || perSampleBase.Columns != output.Columns))
            throw new ArgumentException($"Convolution per-sample start: expected {outputGrid.BatchSize} x {output.Columns}, got {perSampleBase.Rows} x {perSampleBase.Columns}.");
    }
}
