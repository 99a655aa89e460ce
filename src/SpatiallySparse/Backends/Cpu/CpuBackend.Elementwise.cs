using System.Numerics.Tensors;

namespace SpatiallySparse.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Fill(FeatureMatrix matrix, float value) => Host(matrix).Fill(value);

    /// <inheritdoc/>
    public void Copy(FeatureMatrix source, FeatureMatrix destination)
    {
        CheckSameShape(source, destination, nameof(Copy));
        Host(source).CopyTo(Host(destination));
    }

    /// <inheritdoc/>
    public void Add(FeatureMatrix source, FeatureMatrix destination, float alpha = 1f)
    {
        CheckSameShape(source, destination, nameof(Add));
        Span<float> d = Host(destination);
        if (alpha == 1f)
            TensorPrimitives.Add(d, Host(source), d);
        else
            TensorPrimitives.MultiplyAdd(Host(source), alpha, d, d);
    }

    /// <inheritdoc/>
    public void Scale(FeatureMatrix matrix, float alpha)
    {
        Span<float> m = Host(matrix);
        TensorPrimitives.Multiply(m, alpha, m);
    }

    /// <inheritdoc/>
    public void Multiply(FeatureMatrix a, FeatureMatrix b, FeatureMatrix destination, bool accumulate)
    {
        CheckSameShape(a, destination, nameof(Multiply));
        bool broadcast = b.Rows == 1 && a.Rows != 1;
        if (!broadcast)
            CheckSameShape(a, b, nameof(Multiply));
        else if (b.Columns != a.Columns)
            throw new ArgumentException($"{nameof(Multiply)}: a row of {b.Columns} columns cannot scale {a.Columns} columns.");
        Span<float> x = Host(a), y = Host(b), d = Host(destination);
        int c = a.Columns;
        for (int r = 0; r < a.Rows; r++)
        {
            Span<float> xr = x.Slice(r * c, c), dr = d.Slice(r * c, c);
            Span<float> yr = broadcast ? y : y.Slice(r * c, c);
            if (accumulate)
                TensorPrimitives.MultiplyAdd(xr, yr, dr, dr);
            else
                TensorPrimitives.Multiply(xr, yr, dr);
        }
    }

    /// <inheritdoc/>
    public void AddBySample(FeatureMatrix perSample, ReadOnlySpan<int> sampleOffsets, FeatureMatrix destination, float alpha = 1f)
    {
        CheckBySample(perSample, sampleOffsets, destination);
        Span<float> g = Host(perSample), d = Host(destination);
        int c = destination.Columns;
        for (int b = 0; b < perSample.Rows; b++)
        {
            Span<float> gb = g.Slice(b * c, c);
            for (int r = sampleOffsets[b]; r < sampleOffsets[b + 1]; r++)
            {
                Span<float> dr = d.Slice(r * c, c);
                TensorPrimitives.MultiplyAdd(gb, alpha, dr, dr);
            }
        }
    }

    /// <inheritdoc/>
    public void SumBySample(FeatureMatrix source, ReadOnlySpan<int> sampleOffsets, FeatureMatrix perSample, float alpha = 1f)
    {
        CheckBySample(perSample, sampleOffsets, source);
        Span<float> s = Host(source), g = Host(perSample);
        int c = source.Columns;
        float[] sum = new float[c];
        for (int b = 0; b < perSample.Rows; b++)
        {
            Array.Clear(sum);
            for (int r = sampleOffsets[b]; r < sampleOffsets[b + 1]; r++)
                TensorPrimitives.Add(sum, s.Slice(r * c, c), sum);
            Span<float> gb = g.Slice(b * c, c);
            TensorPrimitives.MultiplyAdd(sum, alpha, gb, gb);
        }
    }

    /// <inheritdoc/>
    public void MeanBySample(FeatureMatrix source, ReadOnlySpan<int> sampleOffsets, FeatureMatrix destination)
    {
        CheckBySample(destination, sampleOffsets, source);
        Host(destination).Clear();
        SumBySample(source, sampleOffsets, destination);
        Span<float> d = Host(destination);
        int c = destination.Columns;
        for (int b = 0; b < destination.Rows; b++)
            TensorPrimitives.Multiply(d.Slice(b * c, c), 1f / Math.Max(1, sampleOffsets[b + 1] - sampleOffsets[b]), d.Slice(b * c, c));
    }

    /// <inheritdoc/>
    public void MeanBySampleBackward(FeatureMatrix perSample, ReadOnlySpan<int> sampleOffsets, FeatureMatrix destination)
    {
        CheckBySample(perSample, sampleOffsets, destination);
        Span<float> g = Host(perSample), d = Host(destination);
        int c = destination.Columns;
        for (int b = 0; b < perSample.Rows; b++)
        {
            float scale = 1f / Math.Max(1, sampleOffsets[b + 1] - sampleOffsets[b]);
            for (int r = sampleOffsets[b]; r < sampleOffsets[b + 1]; r++)
                TensorPrimitives.MultiplyAdd(g.Slice(b * c, c), scale, d.Slice(r * c, c), d.Slice(r * c, c));
        }
    }

    /// <inheritdoc/>
    public bool AllFinite(FeatureMatrix matrix, out long firstBad)
    {
        Span<float> m = Host(matrix);
        for (int i = 0; i < m.Length; i++)
            if (!float.IsFinite(m[i]))
            {
                firstBad = i;
                return false;
            }
        firstBad = -1;
        return true;
    }

    private static void CheckBySample(FeatureMatrix perSample, ReadOnlySpan<int> sampleOffsets, FeatureMatrix rows)
    {
        if (sampleOffsets.Length != perSample.Rows + 1 || sampleOffsets[^1] != rows.Rows || perSample.Columns != rows.Columns)
            throw new ArgumentException($"Per-sample matrix {perSample.Rows} x {perSample.Columns} with {sampleOffsets.Length - 1} sample ranges does not match {rows.Rows} x {rows.Columns} rows.");
    }
}
