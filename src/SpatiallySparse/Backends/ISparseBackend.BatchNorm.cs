namespace SpatiallySparse.Backends;

public partial interface ISparseBackend
{
    /// <summary>Column mean and biased variance over all rows (1 x C each).</summary>
    void BatchNormStatistics(FeatureMatrix x, FeatureMatrix mean, FeatureMatrix variance);

    /// <summary>y = (x - mean) / sqrt(variance + epsilon) * gamma + beta, per column.</summary>
    void BatchNormForward(FeatureMatrix x, FeatureMatrix mean, FeatureMatrix variance, float epsilon,
        FeatureMatrix gamma, FeatureMatrix beta, FeatureMatrix y);

    /// <summary>
    /// Backward of batch normalisation of the active rows <paramref name="x"/> and of the ground states
    /// <paramref name="ground"/> (normalised with the same statistics, not counted in them). With
    /// <paramref name="batchStatistics"/> the gradient flows through the mean and variance as well.
    /// gradX, gradGround, gradGamma and gradBeta accumulate.
    /// </summary>
    void BatchNormBackward(FeatureMatrix x, FeatureMatrix gradY, FeatureMatrix ground, FeatureMatrix gradGroundY,
        FeatureMatrix mean, FeatureMatrix variance, float epsilon, FeatureMatrix gamma, bool batchStatistics,
        FeatureMatrix gradX, FeatureMatrix gradGround, FeatureMatrix gradGamma, FeatureMatrix gradBeta);
}
