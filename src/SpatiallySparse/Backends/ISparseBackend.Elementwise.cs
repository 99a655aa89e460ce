using SpatiallySparse.Geometry;

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

    /// <summary>destination[r] += row for every row (bias broadcast); <paramref name="row"/> is 1 x Columns.</summary>
    void AddRowVector(FeatureMatrix row, FeatureMatrix destination);

    /// <summary>rowDestination += alpha * (sum of all rows of source): the adjoint of <see cref="AddRowVector"/>.</summary>
    void SumRows(FeatureMatrix source, FeatureMatrix rowDestination, float alpha = 1f);

    /// <summary>
    /// Per-sample broadcast: destination[r] += alpha * perSample[sample(r)] over the rows of
    /// <paramref name="grid"/> (ground states added to, or subtracted from, active rows). Geometry is passed as
    /// the grid object so a device backend can cache its upload.
    /// </summary>
    void AddBySample(FeatureMatrix perSample, SparseGrid grid, FeatureMatrix destination, float alpha = 1f);

    /// <summary>perSample[b] += alpha * (sum of the rows of sample b): the adjoint of <see cref="AddBySample"/>.</summary>
    void SumBySample(FeatureMatrix source, SparseGrid grid, FeatureMatrix perSample, float alpha = 1f);

    /// <summary>destination[b] = mean of the rows of sample b (global average pooling over active sites).</summary>
    void MeanBySample(FeatureMatrix source, SparseGrid grid, FeatureMatrix destination);

    /// <summary>destination[r] += perSample[sample(r)] / count(sample): the adjoint of <see cref="MeanBySample"/>.</summary>
    void MeanBySampleBackward(FeatureMatrix perSample, SparseGrid grid, FeatureMatrix destination);

    /// <summary>True when no element is NaN or infinite; <paramref name="firstBad"/> is the first offending flat index.</summary>
    bool AllFinite(FeatureMatrix matrix, out long firstBad);
}
