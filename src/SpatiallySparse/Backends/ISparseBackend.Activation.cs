namespace SpatiallySparse.Backends;

public partial interface ISparseBackend
{
    /// <summary>y = x &gt; 0 ? x : slope * x (slope 0: ReLU; 1/3: Graham's "very leaky" ReLU).</summary>
    void LeakyReluForward(FeatureMatrix x, FeatureMatrix y, float slope);

    /// <summary>gradX += gradY * (x &gt; 0 ? 1 : slope).</summary>
    void LeakyReluBackward(FeatureMatrix x, FeatureMatrix gradY, FeatureMatrix gradX, float slope);

    /// <summary>
    /// grad *= (y &gt; 0 ? 1 : slope), in place: the backward of a leaky ReLU fused into the op that produced
    /// <paramref name="y"/> (its output; for slope &gt;= 0, required, y &gt; 0 exactly where its input was).
    /// </summary>
    void LeakyReluGradientInPlace(FeatureMatrix y, FeatureMatrix grad, float slope);

    /// <summary>
    /// Throws unless <paramref name="slope"/> can be fused: the backward of a fused leaky ReLU reads its mask from
    /// the output, which has the input's sign only for finite slopes &gt;= 0.
    /// </summary>
    public static void CheckFusedSlope(float slope)
    {
        if (!(slope >= 0f) || !float.IsFinite(slope))
            throw new ArgumentOutOfRangeException(nameof(slope), $"A leaky ReLU fused into the op before it needs a finite slope >= 0, got {slope}.");
    }
}
