using SpatiallySparse.Backends;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Tests.Support;

/// <summary>A stand-in for a device backend whose memory the CPU cannot reach; it only allocates.</summary>
internal sealed class ForeignBackend : ISparseBackend
{
    public string Name => "foreign";

    public void Dispose()
    {
    }

    public void LeakyReluForward(FeatureMatrix x, FeatureMatrix y, float slope) => throw new NotSupportedException();

    public void LeakyReluBackward(FeatureMatrix x, FeatureMatrix gradY, FeatureMatrix gradX, float slope) => throw new NotSupportedException();

    public void BatchNormStatistics(FeatureMatrix x, FeatureMatrix mean, FeatureMatrix variance) => throw new NotSupportedException();

    public void BatchNormForward(FeatureMatrix x, FeatureMatrix mean, FeatureMatrix variance, float epsilon, FeatureMatrix gamma, FeatureMatrix beta, FeatureMatrix y) => throw new NotSupportedException();

    public void BatchNormBackward(FeatureMatrix x, FeatureMatrix gradY, FeatureMatrix ground, FeatureMatrix gradGroundY, FeatureMatrix mean, FeatureMatrix variance, float epsilon, FeatureMatrix gamma, bool batchStatistics, FeatureMatrix gradX, FeatureMatrix gradGround, FeatureMatrix gradGamma, FeatureMatrix gradBeta) => throw new NotSupportedException();

    public void ConvolutionForward(FeatureMatrix input, FeatureMatrix weights, RuleBook rules, FeatureMatrix output) => throw new NotSupportedException();

    public void ConvolutionBackward(FeatureMatrix input, FeatureMatrix gradOutput, FeatureMatrix weights, RuleBook rules, FeatureMatrix? gradInput, FeatureMatrix gradWeights, bool overwriteGradInput = false) => throw new NotSupportedException();

    public void SumTaps(FeatureMatrix weights, FeatureMatrix destination) => throw new NotSupportedException();

    public void BroadcastTapsAdd(FeatureMatrix source, FeatureMatrix gradWeights) => throw new NotSupportedException();

    public void MatMulAdd(FeatureMatrix a, bool transposeA, FeatureMatrix b, bool transposeB, FeatureMatrix c) => throw new NotSupportedException();

    public void Fill(FeatureMatrix matrix, float value) => throw new NotSupportedException();

    public void Copy(FeatureMatrix source, FeatureMatrix destination) => throw new NotSupportedException();

    public void Add(FeatureMatrix source, FeatureMatrix destination, float alpha = 1f) => throw new NotSupportedException();

    public void Scale(FeatureMatrix matrix, float alpha) => throw new NotSupportedException();

    public void Multiply(FeatureMatrix a, FeatureMatrix b, FeatureMatrix destination, bool accumulate) => throw new NotSupportedException();

    public void AddRowVector(FeatureMatrix row, FeatureMatrix destination) => throw new NotSupportedException();

    public void SumRows(FeatureMatrix source, FeatureMatrix rowDestination, float alpha = 1f) => throw new NotSupportedException();

    public void AddBySample(FeatureMatrix perSample, SparseGrid grid, FeatureMatrix destination, float alpha = 1f) => throw new NotSupportedException();

    public void SumBySample(FeatureMatrix source, SparseGrid grid, FeatureMatrix perSample, float alpha = 1f) => throw new NotSupportedException();

    public void MeanBySample(FeatureMatrix source, SparseGrid grid, FeatureMatrix destination) => throw new NotSupportedException();

    public void MeanBySampleBackward(FeatureMatrix perSample, SparseGrid grid, FeatureMatrix destination) => throw new NotSupportedException();

    public bool AllFinite(FeatureMatrix matrix, out long firstBad) => throw new NotSupportedException();

    public void SparseToDense(FeatureMatrix features, FeatureMatrix ground, SparseGrid grid, FeatureMatrix dense) => throw new NotSupportedException();

    public void SparseToDenseBackward(FeatureMatrix gradDense, SparseGrid grid, FeatureMatrix gradFeatures, FeatureMatrix gradGround) => throw new NotSupportedException();

    public float SoftmaxCrossEntropy(FeatureMatrix logits, int[] labels, FeatureMatrix probabilities) => throw new NotSupportedException();

    public void SoftmaxCrossEntropyBackward(FeatureMatrix probabilities, int[] labels, float scale, FeatureMatrix gradLogits) => throw new NotSupportedException();

    public void SgdStep(FeatureMatrix value, FeatureMatrix grad, FeatureMatrix velocity, float learningRate, float momentum, float weightDecay, bool nesterov) => throw new NotSupportedException();

    public void AdamStep(FeatureMatrix value, FeatureMatrix grad, FeatureMatrix m, FeatureMatrix v, float learningRate, float beta1, float beta2, float epsilon, float weightDecay, bool decoupled, float bias1, float bias2) => throw new NotSupportedException();

    public double SumOfSquares(FeatureMatrix matrix) => throw new NotSupportedException();

    public void MaxPoolForward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid, bool includeGround, FeatureMatrix output) => throw new NotSupportedException();

    public void MaxPoolBackward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid, bool includeGround, FeatureMatrix output, FeatureMatrix gradOutput, FeatureMatrix gradInput, FeatureMatrix gradInputGround, bool overwriteGradInput = false) => throw new NotSupportedException();

    public void AveragePoolForward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid, bool includeGround, FeatureMatrix output) => throw new NotSupportedException();

    public void AveragePoolBackward(RuleBook rules, SparseGrid outputGrid, bool includeGround, FeatureMatrix gradOutput, FeatureMatrix gradInput, FeatureMatrix gradInputGround) => throw new NotSupportedException();

    public bool CanAccess(FeatureMatrix matrix) => matrix is ForeignMatrix;

    public FeatureMatrix Allocate(int rows, int columns) => new ForeignMatrix(this, rows, columns);

    public void Upload(ReadOnlySpan<float> source, FeatureMatrix destination)
    {
    }

    public void Download(FeatureMatrix source, Span<float> destination) => throw new NotSupportedException();
}

internal sealed class ForeignMatrix(ISparseBackend backend, int rows, int columns) : FeatureMatrix(backend, rows, columns)
{
    protected override void Release()
    {
    }
}
