using System;
using System.Runtime.CompilerServices;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>Copies that re-lay operands for the kernels: aligned, padded rows and per-chunk im2col rows.</summary>
internal static unsafe class RowPacking
{
    /// <summary>Rounds a row length up to whole 64-byte lines, so every packed row starts aligned.</summary>
    public static int PaddedStride(int columns) => (columns + 15) & ~15;

    /// <summary>Copies <paramref name="rows"/> rows of <paramref name="columns"/> floats to rows of <paramref name="stride"/>, zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CopyRows(float* source, long rows, int columns, float* destination, int stride)
    {
        for (long r = 0; r < rows; r++)
        {
            float* to = destination + (r * stride);
            Copy(source + (r * columns), to, columns);
            for (int j = columns; j < stride; j++)
            {
                to[j] = 0;
            }
        }
    }

    /// <summary>Short copies: a plain loop beats the call and size dispatch of a general memcpy.</summary>
    private static void Copy(float* source, float* destination, int count)
    {
        if (count >= 32)
        {
            Buffer.MemoryCopy(source, destination, count * sizeof(float), count * sizeof(float));
            return;
        }

        for (int i = 0; i < count; i++)
        {
            destination[i] = source[i];
        }
    }

    /// <summary>
    /// Rows [first, end) of the im2col matrix: row o holds, for each tap t in order, the input row paired with
    /// output o in tap t, or zeros. One dense product with the stacked (taps*cin x cout) weights then replaces
    /// the per-tap passes, which for few input channels are dominated by loading and storing the output.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatherRows(PairSource pairs, float* input, int cin, int first, int end, float* destination)
    {
        int width = pairs.Taps * cin;
        new Span<float>(destination, (end - first) * width).Clear();
        for (int t = 0; t < pairs.Taps; t++)
        {
            pairs.PairsWithin(t, first, end, out ReadOnlySpan<int> ins, out ReadOnlySpan<int> outs);
            float* column = destination + (t * cin) - ((long)first * width);
            for (int p = 0; p < ins.Length; p++)
            {
                Copy(input + ((long)ins[p] * cin), column + ((long)outs[p] * width), cin);
            }
        }
    }
}
