using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends;

public partial interface ISparseBackend
{
    /// <summary>
    /// Writes a dense batch, B x (C x volume) with channel-major layout per sample (index c * volume + site,
    /// as PyTorch's NCHW): active sites take their features, every other site its sample's ground state.
    /// </summary>
    void SparseToDense(FeatureMatrix features, FeatureMatrix ground, SparseGrid grid, FeatureMatrix dense);

    /// <summary>Adjoint of <see cref="SparseToDense"/>; gradFeatures and gradGround accumulate.</summary>
    void SparseToDenseBackward(FeatureMatrix gradDense, SparseGrid grid, FeatureMatrix gradFeatures, FeatureMatrix gradGround);

    /// <summary>
    /// Softmax cross-entropy of logits (B x K) against labels; writes the softmax probabilities and returns
    /// the mean loss over the batch.
    /// </summary>
    float SoftmaxCrossEntropy(FeatureMatrix logits, int[] labels, FeatureMatrix probabilities);

    /// <summary>gradLogits += scale * (probabilities - onehot(labels)).</summary>
    void SoftmaxCrossEntropyBackward(FeatureMatrix probabilities, int[] labels, float scale, FeatureMatrix gradLogits);

    /// <summary>
    /// One SGD step: g = grad + weightDecay * value; velocity = momentum * velocity + g;
    /// value -= learningRate * (nesterov ? g + momentum * velocity : velocity).
    /// </summary>
    void SgdStep(FeatureMatrix value, FeatureMatrix grad, FeatureMatrix velocity, float learningRate, float momentum,
        float weightDecay, bool nesterov);
}
