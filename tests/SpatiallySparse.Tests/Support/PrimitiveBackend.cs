using SpatiallySparse.Backends;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Tests.Support;

/// <summary>
/// A backend as a new author would first write it: only the members of <see cref="ISparseBackend"/> (not even
/// <see cref="ISparseBackend.AllocateForOverwrite"/>, which keeps its default), each forwarded to a wrapped
/// backend. Its matrices wrap the inner ones so tensors report this backend, and the layers cannot see the inner
/// backend's fused capabilities: every fused path runs as their composition of primitives.
/// </summary>
internal sealed class PrimitiveBackend(ISparseBackend inner) : ISparseBackend
{
    public string Name => $"primitives of {inner.Name}";

    public bool CanAccess(FeatureMatrix matrix) => matrix is Matrix m && ReferenceEquals(m.Backend, this);

    public FeatureMatrix Allocate(int rows, int columns) => new Matrix(this, inner.Allocate(rows, columns));

    public void Upload(ReadOnlySpan<float> source, FeatureMatrix destination) => inner.Upload(source, In(destination));

    public void Download(FeatureMatrix source, Span<float> destination) => inner.Download(In(source), destination);

    public void Dispose()
    {
    }

    public void LeakyReluForward(FeatureMatrix x, FeatureMatrix y, float slope) => inner.LeakyReluForward(In(x), In(y), slope);

    public void LeakyReluBackward(FeatureMatrix x, FeatureMatrix gradY, FeatureMatrix gradX, float slope) =>
        inner.LeakyReluBackward(In(x), In(gradY), In(gradX), slope);

    public void BatchNormStatistics(FeatureMatrix x, FeatureMatrix mean, FeatureMatrix variance) => inner.BatchNormStatistics(In(x), In(mean), In(variance));

    public void BatchNormForward(FeatureMatrix x, FeatureMatrix mean, FeatureMatrix variance, float epsilon, FeatureMatrix gamma, FeatureMatrix beta,
        FeatureMatrix y) => inner.BatchNormForward(In(x), In(mean), In(variance), epsilon, In(gamma), In(beta), In(y));

    public void BatchNormBackward(FeatureMatrix x, FeatureMatrix gradY, FeatureMatrix ground, FeatureMatrix gradGroundY, FeatureMatrix mean,
        FeatureMatrix variance, float epsilon, FeatureMatrix gamma, bool batchStatistics, FeatureMatrix gradX, FeatureMatrix gradGround,
        FeatureMatrix gradGamma, FeatureMatrix gradBeta) =>
        inner.BatchNormBackward(In(x), In(gradY), In(ground), In(gradGroundY), In(mean), In(variance), epsilon, In(gamma), batchStatistics, In(gradX),
            In(gradGround), In(gradGamma), In(gradBeta));

    public void ConvolutionForward(FeatureMatrix input, FeatureMatrix weights, RuleBook rules, FeatureMatrix output) =>
        inner.ConvolutionForward(In(input), In(weights), rules, In(output));

    public void ConvolutionBackward(FeatureMatrix input, FeatureMatrix gradOutput, FeatureMatrix weights, RuleBook rules, FeatureMatrix? gradInput,
        FeatureMatrix gradWeights, bool overwriteGradInput = false) =>
        inner.ConvolutionBackward(In(input), In(gradOutput), In(weights), rules, gradInput is null ? null : In(gradInput), In(gradWeights), overwriteGradInput);

    public void SumTaps(FeatureMatrix weights, FeatureMatrix destination) => inner.SumTaps(In(weights), In(destination));

    public void BroadcastTapsAdd(FeatureMatrix source, FeatureMatrix gradWeights) => inner.BroadcastTapsAdd(In(source), In(gradWeights));

    public void MatMulAdd(FeatureMatrix a, bool transposeA, FeatureMatrix b, bool transposeB, FeatureMatrix c) =>
        inner.MatMulAdd(In(a), transposeA, In(b), transposeB, In(c));

    public void Fill(FeatureMatrix matrix, float value) => inner.Fill(In(matrix), value);

    public void Copy(FeatureMatrix source, FeatureMatrix destination) => inner.Copy(In(source), In(destination));

    public void Add(FeatureMatrix source, FeatureMatrix destination, float alpha = 1f) => inner.Add(In(source), In(destination), alpha);

    public void Scale(FeatureMatrix matrix, float alpha) => inner.Scale(In(matrix), alpha);

    public void Multiply(FeatureMatrix a, FeatureMatrix b, FeatureMatrix destination, bool accumulate) => inner.Multiply(In(a), In(b), In(destination), accumulate);

    public void AddRowVector(FeatureMatrix row, FeatureMatrix destination) => inner.AddRowVector(In(row), In(destination));

    public void SumRows(FeatureMatrix source, FeatureMatrix rowDestination, float alpha = 1f) => inner.SumRows(In(source), In(rowDestination), alpha);

    public void AddBySample(FeatureMatrix perSample, SparseGrid grid, FeatureMatrix destination, float alpha = 1f) =>
        inner.AddBySample(In(perSample), grid, In(destination), alpha);

    public void SumBySample(FeatureMatrix source, SparseGrid grid, FeatureMatrix perSample, float alpha = 1f) =>
        inner.SumBySample(In(source), grid, In(perSample), alpha);

    public void MeanBySample(FeatureMatrix source, SparseGrid grid, FeatureMatrix destination) => inner.MeanBySample(In(source), grid, In(destination));

    public void MeanBySampleBackward(FeatureMatrix perSample, SparseGrid grid, FeatureMatrix destination) =>
        inner.MeanBySampleBackward(In(perSample), grid, In(destination));

    public bool AllFinite(FeatureMatrix matrix, out long firstBad) => inner.AllFinite(In(matrix), out firstBad);

    public void SparseToDense(FeatureMatrix features, FeatureMatrix ground, SparseGrid grid, FeatureMatrix dense) =>
        inner.SparseToDense(In(features), In(ground), grid, In(dense));

    public void SparseToDenseBackward(FeatureMatrix gradDense, SparseGrid grid, FeatureMatrix gradFeatures, FeatureMatrix gradGround) =>
        inner.SparseToDenseBackward(In(gradDense), grid, In(gradFeatures), In(gradGround));

    public float SoftmaxCrossEntropy(FeatureMatrix logits, int[] labels, FeatureMatrix probabilities) =>
        inner.SoftmaxCrossEntropy(In(logits), labels, In(probabilities));

    public void SoftmaxCrossEntropyBackward(FeatureMatrix probabilities, int[] labels, float scale, FeatureMatrix gradLogits) =>
        inner.SoftmaxCrossEntropyBackward(In(probabilities), labels, scale, In(gradLogits));

    public void SgdStep(FeatureMatrix value, FeatureMatrix grad, FeatureMatrix velocity, float learningRate, float momentum, float weightDecay,
        bool nesterov) => inner.SgdStep(In(value), In(grad), In(velocity), learningRate, momentum, weightDecay, nesterov);

    public void AdamStep(FeatureMatrix value, FeatureMatrix grad, FeatureMatrix m, FeatureMatrix v, float learningRate, float beta1, float beta2,
        float epsilon, float weightDecay, bool decoupled, float bias1, float bias2) =>
        inner.AdamStep(In(value), In(grad), In(m), In(v), learningRate, beta1, beta2, epsilon, weightDecay, decoupled, bias1, bias2);

    public double SumOfSquares(FeatureMatrix x) => inner.SumOfSquares(In(x));

    public void MaxPoolForward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid, bool includeGround,
        FeatureMatrix output) => inner.MaxPoolForward(In(input), In(inputGround), rules, outputGrid, includeGround, In(output));

    public void MaxPoolBackward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid, bool includeGround,
        FeatureMatrix output, FeatureMatrix gradOutput, FeatureMatrix gradInput, FeatureMatrix gradInputGround, bool overwriteGradInput = false) =>
        inner.MaxPoolBackward(In(input), In(inputGround), rules, outputGrid, includeGround, In(output), In(gradOutput), In(gradInput),
            In(gradInputGround), overwriteGradInput);

    public void AveragePoolForward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid, bool includeGround,
        FeatureMatrix output) => inner.AveragePoolForward(In(input), In(inputGround), rules, outputGrid, includeGround, In(output));

    public void AveragePoolBackward(RuleBook rules, SparseGrid outputGrid, bool includeGround, FeatureMatrix gradOutput, FeatureMatrix gradInput,
        FeatureMatrix gradInputGround) =>
        inner.AveragePoolBackward(rules, outputGrid, includeGround, In(gradOutput), In(gradInput), In(gradInputGround));

    private static FeatureMatrix In(FeatureMatrix m) =>
        m is Matrix wrapped ? wrapped.Inner : throw new ArgumentException($"{m} does not belong to the primitive-only backend.");

    /// <summary>A matrix of this backend: the inner backend's matrix under this backend's name.</summary>
    private sealed class Matrix(PrimitiveBackend owner, FeatureMatrix inner) : FeatureMatrix(owner, inner.Rows, inner.Columns)
    {
        public FeatureMatrix Inner => inner;

        protected override void Release() => inner.Dispose();
    }
}
