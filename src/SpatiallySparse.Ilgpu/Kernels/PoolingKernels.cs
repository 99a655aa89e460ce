using System.Diagnostics.CodeAnalysis;
using ILGPU;

namespace SpatiallySparse.Ilgpu.Kernels;

/// <summary>
/// Max and average pooling over the rulebook's output-major neighbour table. Backward kernels gather from the
/// input side (through the transposed rulebook's table) so each gradient element has one writer: no atomics.
/// </summary>
[ExcludeFromCodeCoverage(Justification = "Coverage instrumentation breaks ILGPU kernel compilation.")]
internal static class PoolingKernels
{
    /// <summary>One thread per (output row, channel).</summary>
    public static void MaxForward(Index1D i, ArrayView<float> x, ArrayView<float> ground, ArrayView<int> table, ArrayView<int> outputSample,
        ArrayView<float> y, int channels, int taps, int includeGround)
    {
        int o = i / channels, c = i % channels;
        float m = y[i];
        bool full = true, first = true;
        for (int t = 0; t < taps; t++)
        {
            int source = table[o * taps + t];
            if (source < 0)
            {
                full = false;
                continue;
            }
            float v = x[source * channels + c];
            m = first || v > m ? v : m;
            first = false;
        }
        if (includeGround != 0 && !full)
        {
            float g = ground[outputSample[o] * channels + c];
            m = g > m ? g : m;
        }
        y[i] = m;
    }

    /// <summary>One thread per (input row, channel): sums the gradients of the outputs whose maximum this input is.</summary>
    public static void MaxBackwardInput(Index1D i, ArrayView<float> x, ArrayView<int> table, ArrayView<int> transposedTable, ArrayView<float> y,
        ArrayView<float> gradY, ArrayView<float> gradX, int channels, int taps)
    {
        int row = i / channels, c = i % channels;
        float sum = gradX[i];
        for (int t = 0; t < taps; t++)
        {
            int o = transposedTable[row * taps + t];
            if (o >= 0 && Winner(x, table, y, o, c, channels, taps) == row)
                sum += gradY[o * channels + c];
        }
        gradX[i] = sum;
    }

    /// <summary>One thread per (sample, channel): the outputs of the sample that no active input won go to the ground state.</summary>
    public static void MaxBackwardGround(Index1D i, ArrayView<float> x, ArrayView<int> table, ArrayView<int> outputOffsets, ArrayView<float> y,
        ArrayView<float> gradY, ArrayView<float> gradGround, int channels, int taps)
    {
        int b = i / channels, c = i % channels;
        float sum = gradGround[i];
        for (int o = outputOffsets[b]; o < outputOffsets[b + 1]; o++)
            if (Winner(x, table, y, o, c, channels, taps) < 0)
                sum += gradY[o * channels + c];
        gradGround[i] = sum;
    }

    /// <summary>One thread per (output row, channel).</summary>
    public static void AverageForward(Index1D i, ArrayView<float> x, ArrayView<float> ground, ArrayView<int> table, ArrayView<int> outputSample,
        ArrayView<float> y, int channels, int taps, int includeGround)
    {
        int o = i / channels, c = i % channels;
        float sum = 0f;
        int missing = 0;
        for (int t = 0; t < taps; t++)
        {
            int source = table[o * taps + t];
            if (source >= 0)
                sum += x[source * channels + c];
            else
                missing++;
        }
        if (includeGround != 0 && missing > 0)
            sum = ground[outputSample[o] * channels + c] * missing + sum;
        y[i] = sum * (1f / taps);
    }

    /// <summary>One thread per (input row, channel).</summary>
    public static void AverageBackwardInput(Index1D i, ArrayView<int> transposedTable, ArrayView<float> gradY, ArrayView<float> gradX, int channels, int taps)
    {
        int row = i / channels, c = i % channels;
        float scale = 1f / taps, sum = gradX[i];
        for (int t = 0; t < taps; t++)
        {
            int o = transposedTable[row * taps + t];
            if (o >= 0)
                sum = gradY[o * channels + c] * scale + sum;
        }
        gradX[i] = sum;
    }

    /// <summary>One thread per (sample, channel): each output's inactive window sites route to the ground state.</summary>
    public static void AverageBackwardGround(Index1D i, ArrayView<int> table, ArrayView<int> outputOffsets, ArrayView<float> gradY, ArrayView<float> gradGround,
        int channels, int taps)
    {
        int b = i / channels, c = i % channels;
        float scale = 1f / taps, sum = gradGround[i];
        for (int o = outputOffsets[b]; o < outputOffsets[b + 1]; o++)
        {
            int missing = 0;
            for (int t = 0; t < taps; t++)
                missing += table[o * taps + t] < 0 ? 1 : 0;
            if (missing > 0)
                sum = gradY[o * channels + c] * (scale * missing) + sum;
        }
        gradGround[i] = sum;
    }

    /// <summary>The first input (in tap order) of output o's window equal to the output, or -1 (the ground state).</summary>
    private static int Winner(ArrayView<float> x, ArrayView<int> table, ArrayView<float> y, int o, int c, int channels, int taps)
    {
        float target = y[o * channels + c];
        for (int t = 0; t < taps; t++)
        {
            int source = table[o * taps + t];
            if (source >= 0 && x[source * channels + c] == target)
                return source;
        }
        return -1;
    }
}
