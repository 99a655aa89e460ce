using System.Diagnostics.CodeAnalysis;
using ILGPU;
using ILGPU.Algorithms;

namespace SpatiallySparse.Ilgpu.Kernels;

/// <summary>
/// Batch normalisation. Column statistics use a two-stage reduction in double (chunks of rows, then the chunks
/// in order), like the CPU backend's double sums, so results do not depend on scheduling.
/// </summary>
[ExcludeFromCodeCoverage(Justification = "Coverage instrumentation breaks ILGPU kernel compilation.")]
internal static class BatchNormKernels
{
    /// <summary>Which per-element term a chunk sums.</summary>
    public const int SumX = 0, SumSquaredDeviation = 1, SumDy = 2, SumDyDeviation = 3;

    /// <summary>Stage one: one thread per (chunk, column) sums a term over the chunk's rows.</summary>
    public static void ChunkSums(Index1D i, ArrayView<float> x, ArrayView<float> dy, ArrayView<double> mean, int rows, int columns, int chunkRows,
        int term, ArrayView<double> partial)
    {
        int chunk = i / columns, c = i % columns;
        int end = IntrinsicMath.Min(rows, (chunk + 1) * chunkRows);
        double mu = mean[c], sum = 0;
        for (int r = chunk * chunkRows; r < end; r++)
        {
            int e = r * columns + c;
            double d = x[e] - mu;
            sum += term == SumX ? x[e] : term == SumSquaredDeviation ? d * d : term == SumDy ? dy[e] : dy[e] * d;
        }
        partial[i] = sum;
    }

    /// <summary>Stage two: totals[c] = sum of the chunks in order.</summary>
    public static void ChunkTotals(Index1D c, ArrayView<double> partial, int chunks, int columns, ArrayView<double> totals)
    {
        double sum = 0;
        for (int k = 0; k < chunks; k++)
            sum += partial[k * columns + c];
        totals[c] = sum;
    }

    /// <summary>Per column: mean from the sum (kept in double for the deviation pass) and as float.</summary>
    public static void SetMean(Index1D c, ArrayView<double> totals, int rows, ArrayView<double> meanDouble, ArrayView<float> mean)
    {
        double m = totals[c] / IntrinsicMath.Max(1, rows);
        meanDouble[c] = m;
        mean[c] = (float)m;
    }

    public static void SetVariance(Index1D c, ArrayView<double> totals, int rows, ArrayView<float> variance) =>
        variance[c] = (float)(totals[c] / IntrinsicMath.Max(1, rows));

    /// <summary>The float mean widened to double, so deviations match the CPU backend's <c>x - (double)mean</c>.</summary>
    public static void WidenMean(Index1D c, ArrayView<float> mean, ArrayView<double> meanDouble) => meanDouble[c] = mean[c];

    public static void Forward(Index1D i, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> variance, ArrayView<float> gamma, ArrayView<float> beta,
        ArrayView<float> y, int columns, float epsilon)
    {
        int c = i % columns;
        float scale = gamma[c] / XMath.Sqrt(variance[c] + epsilon);
        float shift = beta[c] - mean[c] * scale;
        y[i] = x[i] * scale + shift;
    }

    /// <summary>
    /// One thread per column: adds the ground states' terms to the sums in <paramref name="stats"/> (sum of dy at
    /// [0, C), sum of dy (x - mean) at [C, 2C)), writes the parameter and ground gradients and stores the input
    /// gradient's coefficients s1 at [2C, 3C) and s2 at [3C, 4C). <paramref name="scaledRows"/> is 0 without batch statistics.
    /// </summary>
    public static void FinishBackward(Index1D c, ArrayView<double> stats, ArrayView<float> ground, ArrayView<float> gradGroundY,
        ArrayView<float> mean, ArrayView<float> variance, ArrayView<float> gamma, ArrayView<float> gradGround, ArrayView<float> gradGamma,
        ArrayView<float> gradBeta, int scaledRows, int batch, int columns, float epsilon)
    {
        double istd = 1.0 / XMath.Sqrt((double)(variance[c] + epsilon)), mu = mean[c], gam = gamma[c];
        double dySum = stats[c], dyHatSum = stats[columns + c] * istd;
        for (int b = 0; b < batch; b++)
        {
            int e = b * columns + c;
            dySum += gradGroundY[e];
            dyHatSum += gradGroundY[e] * (ground[e] - mu) * istd;
            gradGround[e] += (float)(gradGroundY[e] * gam * istd);
        }
        gradGamma[c] += (float)dyHatSum;
        gradBeta[c] += (float)dySum;
        stats[2 * columns + c] = scaledRows > 0 ? gam * dySum / scaledRows : 0;
        stats[3 * columns + c] = scaledRows > 0 ? gam * dyHatSum / scaledRows : 0;
    }

    public static void InputGradient(Index1D i, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> mean, ArrayView<float> variance, ArrayView<float> gamma,
        ArrayView<double> stats, ArrayView<float> gradX, int columns, float epsilon)
    {
        int c = i % columns;
        double istd = 1.0 / XMath.Sqrt((double)(variance[c] + epsilon));
        double xhat = (x[i] - (double)mean[c]) * istd;
        gradX[i] += (float)(istd * (dy[i] * (double)gamma[c] - stats[2 * columns + c] - xhat * stats[3 * columns + c]));
    }
}
