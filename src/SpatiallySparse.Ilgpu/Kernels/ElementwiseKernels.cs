using System.Diagnostics.CodeAnalysis;
using ILGPU;

namespace SpatiallySparse.Ilgpu.Kernels;

/// <summary>Kernels of the element-wise and per-sample broadcast ops; one thread per element unless noted.</summary>
[ExcludeFromCodeCoverage(Justification = "Coverage instrumentation breaks ILGPU kernel compilation.")]
internal static class ElementwiseKernels
{
    public static void Fill(Index1D i, ArrayView<float> m, float value) => m[i] = value;

    public static void FillInt(Index1D i, ArrayView<int> m, int value) => m[i] = value;

    public static void Copy(Index1D i, ArrayView<float> source, ArrayView<float> destination) => destination[i] = source[i];

    public static void Add(Index1D i, ArrayView<float> source, ArrayView<float> destination, float alpha) =>
        destination[i] = alpha == 1f ? destination[i] + source[i] : source[i] * alpha + destination[i];

    public static void Scale(Index1D i, ArrayView<float> m, float alpha) => m[i] *= alpha;

    /// <summary>destination (+)= a * b, b broadcast over rows when <paramref name="broadcastColumns"/> &gt; 0.</summary>
    public static void Multiply(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> destination, int broadcastColumns, int accumulate)
    {
        float y = broadcastColumns > 0 ? b[i % broadcastColumns] : b[i];
        destination[i] = accumulate != 0 ? a[i] * y + destination[i] : a[i] * y;
    }

    public static void AddRowVector(Index1D i, ArrayView<float> row, ArrayView<float> destination, int columns) =>
        destination[i] = row[i % columns] * 1f + destination[i];

    public static void AddBySample(Index1D i, ArrayView<float> perSample, ArrayView<int> sampleOfRow, ArrayView<float> destination, int columns, float alpha) =>
        destination[i] = perSample[sampleOfRow[i / columns] * columns + i % columns] * alpha + destination[i];

    /// <summary>One thread per (sample, column): sums the sample's rows in row order.</summary>
    public static void SumBySample(Index1D i, ArrayView<float> source, ArrayView<int> offsets, ArrayView<float> perSample, int columns, float alpha)
    {
        int b = i / columns, c = i % columns;
        float sum = 0f;
        for (int r = offsets[b]; r < offsets[b + 1]; r++)
            sum += source[r * columns + c];
        perSample[i] = sum * alpha + perSample[i];
    }

    /// <summary>One thread per (sample, column): the mean of the sample's rows.</summary>
    public static void MeanBySample(Index1D i, ArrayView<float> source, ArrayView<int> offsets, ArrayView<float> destination, int columns)
    {
        int b = i / columns, c = i % columns;
        float sum = 0f;
        for (int r = offsets[b]; r < offsets[b + 1]; r++)
            sum += source[r * columns + c];
        destination[i] = sum * (1f / IntrinsicMath.Max(1, offsets[b + 1] - offsets[b]));
    }

    public static void MeanBySampleBackward(Index1D i, ArrayView<float> perSample, ArrayView<int> offsets, ArrayView<int> sampleOfRow, ArrayView<float> destination, int columns)
    {
        int b = sampleOfRow[i / columns];
        float scale = 1f / IntrinsicMath.Max(1, offsets[b + 1] - offsets[b]);
        destination[i] = perSample[b * columns + i % columns] * scale + destination[i];
    }

    /// <summary>Records the smallest index of a non-finite element; an integer minimum, so the result is deterministic.</summary>
    public static void FirstNonFinite(Index1D i, ArrayView<float> m, ArrayView<int> firstBad)
    {
        float v = m[i];
        // v - v is 0 for every finite v and NaN for NaN and infinities.
        if (v - v != 0f)
            Atomic.Min(ref firstBad[0], i);
    }

    /// <summary>Stage one of a column sum: one thread per (chunk, column) sums <paramref name="chunkRows"/> rows in double.</summary>
    public static void ColumnChunkSums(Index1D i, ArrayView<float> source, int rows, int columns, int chunkRows, ArrayView<double> partial)
    {
        int chunk = i / columns, c = i % columns;
        int end = IntrinsicMath.Min(rows, (chunk + 1) * chunkRows);
        double sum = 0;
        for (int r = chunk * chunkRows; r < end; r++)
            sum += source[r * columns + c];
        partial[i] = sum;
    }

    /// <summary>Stage two: rowDestination[c] += alpha * (sum of the chunks' partials, in chunk order).</summary>
    public static void FinishColumnSums(Index1D c, ArrayView<double> partial, int chunks, int columns, ArrayView<float> rowDestination, float alpha)
    {
        double sum = 0;
        for (int k = 0; k < chunks; k++)
            sum += partial[k * columns + c];
        rowDestination[c] = (float)sum * alpha + rowDestination[c];
    }
}
