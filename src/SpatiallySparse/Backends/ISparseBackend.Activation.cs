namespace SpatiallySparse.Backends;

public partial interface ISparseBackend
{
    /// <summary>
    /// y = x &gt; 0 ? x : slope * x (slope 0: ReLU; 1/3: Graham's "very leaky" ReLU); <paramref name="x"/> and
    /// <paramref name="y"/> may be the same matrix (the layers activate in place).
    /// </summary>
    void LeakyReluForward(FeatureMatrix x, FeatureMatrix y, float slope);

    /// <summary>gradX += gradY * (x &gt; 0 ? 1 : slope).</summary>
    void LeakyReluBackward(FeatureMatrix x, FeatureMatrix gradY, FeatureMatrix gradX, float slope);
}
