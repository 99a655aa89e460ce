namespace SpatiallySparse.Backends;

public partial interface ISparseBackend
{
    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    void Fill(FeatureMatrix matrix, float value);

    /// <summary>destination = source (same shape).</summary>
    void Copy(FeatureMatrix source, FeatureMatrix destination);

    /// <summary>destination += alpha * source (same shape).</summary>
    void Add(FeatureMatrix source, FeatureMatrix destination, float alpha = 1f);

    /// <summary>matrix *= alpha.</summary>
    void Scale(FeatureMatrix matrix, float alpha);

    /// <summary>
    /// Element-wise product: destination (+)= a * b. <paramref name="b"/> has a's shape or is a single row
    /// broadcast to every row (a per-channel mask or scale).
    /// </summary>
    void Multiply(FeatureMatrix a, FeatureMatrix b, FeatureMatrix destination, bool accumulate);

    /// <summary>
    /// Per-sample broadcast: destination[r] += alpha * perSample[sample(r)], where the rows of sample b are
    /// [sampleOffsets[b], sampleOffsets[b+1]). Adds ground states and biases to active rows.
    /// </summary>
    void AddBySample(FeatureMatrix perSample, ReadOnlySpan<int> sampleOffsets, FeatureMatrix destination, float alpha = 1f);

    /// <summary>perSample[b] += alpha * (sum of the rows of sample b): the adjoint of <see cref="AddBySample"/>.</summary>
    void SumBySample(FeatureMatrix source, ReadOnlySpan<int> sampleOffsets, FeatureMatrix perSample, float alpha = 1f);

    /// <summary>destination[b] = mean of the rows of sample b (global average pooling over active sites).</summary>
    void MeanBySample(FeatureMatrix source, ReadOnlySpan<int> sampleOffsets, FeatureMatrix destination);

    /// <summary>destination[r] += perSample[sample(r)] / count(sample): the adjoint of <see cref="MeanBySample"/>.</summary>
    void MeanBySampleBackward(FeatureMatrix perSample, ReadOnlySpan<int> sampleOffsets, FeatureMatrix destination);

    /// <summary>True when no element is NaN or infinite; <paramref name="firstBad"/> is the first offending flat index.</summary>
    bool AllFinite(FeatureMatrix matrix, out long firstBad);
}
