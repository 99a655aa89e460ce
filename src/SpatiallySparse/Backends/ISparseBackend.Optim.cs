namespace SpatiallySparse.Backends;

public partial interface ISparseBackend
{
    /// <summary>
    /// One Adam step (Kingma &amp; Ba, with PyTorch's epsilon placement). With <paramref name="decoupled"/> (AdamW,
    /// Loshchilov &amp; Hutter) value *= 1 - learningRate * weightDecay first; otherwise g = grad + weightDecay * value.
    /// Then m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g²;
    /// value -= (learningRate / bias1) * m / (sqrt(v) / sqrt(bias2) + epsilon), where bias1 = 1 - beta1^t and
    /// bias2 = 1 - beta2^t for the t-th step (1 for the first).
    /// </summary>
    void AdamStep(FeatureMatrix value, FeatureMatrix grad, FeatureMatrix m, FeatureMatrix v, float learningRate,
        float beta1, float beta2, float epsilon, float weightDecay, bool decoupled, float bias1, float bias2);

    /// <summary>The sum of the squares of every element, accumulated in double (for gradient norms).</summary>
    double SumOfSquares(FeatureMatrix matrix);
}
