using System.Buffers;

namespace SpatiallySparse.Geometry;

/// <summary>
/// <see cref="ConvolutionRules"/> for directly addressed 2D grids (digits, pen strokes), the hot case of a 2D
/// training step. Coordinates are plain ints split by <see cref="FastDivisor"/>; the pass that finds the output
/// sites also counts each tap's pairs, so the pairs are then written straight into their final place, output
/// row by output row, with no neighbour table in between (pooling builds that table on first use). The
/// rulebook and output grid are the same as the any-dimension paths build, pair for pair.
/// </summary>
internal static class PlanarRules
{
    /// <summary>The constants of one layer: filter, stride, input width and output extent.</summary>
    private readonly record struct Window(int F0, int F1, int S0, int S1, int Width, int OutHeight, int OutWidth);

    public static (SparseGrid Output, RuleBook Rules) Build(SparseGrid input, SpatialSize outSize, SpatialSize filter, SpatialSize stride)
    {
        Window w = new(filter[0], filter[1], stride[0], stride[1], input.Size[1], outSize[0], outSize[1]);
        int taps = w.F0 * w.F1, outVolume = (int)outSize.Volume, inVolume = (int)input.Size.Volume;
        int[] seen = ArrayPool<int>.Shared.Rent(outVolume);
        int[] rowAt = ArrayPool<int>.Shared.Rent(inVolume);
        Span<int> tapCount = taps <= 256 ? stackalloc int[taps] : new int[taps];
        try
        {
            tapCount.Clear();
            seen.AsSpan(0, outVolume).Fill(-1);
            SparseGrid output = ActiveOutputs(input, outSize, w, seen, tapCount);
            rowAt.AsSpan(0, inVolume).Fill(-1);
            return (output, Pairs(input, output, w, tapCount, rowAt));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(seen);
            ArrayPool<int>.Shared.Return(rowAt);
        }
    }

    /// <summary>
    /// Each sample's output sites in increasing order (stamped in <paramref name="seen"/>, then read off the
    /// sample's bounding box or sorted: <see cref="ConvolutionRules.OrderSample"/>), and the pairs per tap.
    /// </summary>
    private static SparseGrid ActiveOutputs(SparseGrid input, SpatialSize outSize, Window w, Span<int> seen, Span<int> tapCount)
    {
        // Each input site lies in at most ceil(f/s) windows per dimension.
        long perSite = (long)((w.F0 + w.S0 - 1) / w.S0) * ((w.F1 + w.S1 - 1) / w.S1);
        int bound = (int)Math.Min(input.ActiveCount * perSite, input.BatchSize * outSize.Volume);
        long[] linear = ArrayPool<long>.Shared.Rent(Math.Max(1, bound));
        int[] offsets = new int[input.BatchSize + 1];
        FastDivisor byWidth = new(w.Width), byS0 = new(w.S0), byS1 = new(w.S1);
        Span<int> boxLo = stackalloc int[2], boxHi = stackalloc int[2], cursor = stackalloc int[2];
        ReadOnlySpan<long> inLinear = input.LinearIndexOfRow;
        int count = 0;
        for (int b = 0; b < input.BatchSize; b++)
        {
            offsets[b] = count;
            boxLo[0] = boxLo[1] = int.MaxValue;
            boxHi[0] = boxHi[1] = -1;
            for (int r = input.SampleOffsets[b]; r < input.SampleOffsets[b + 1]; r++)
            {
                uint site = (uint)inLinear[r];
                int x0 = (int)byWidth.Divide(site), x1 = (int)site - x0 * w.Width;
                // o*s <= x <= o*s + f - 1  =>  ceil((x - f + 1) / s) <= o <= floor(x / s)
                int lo0 = First(x0, w.F0, w.S0, byS0), hi0 = Math.Min(w.OutHeight - 1, (int)byS0.Divide((uint)x0));
                int lo1 = First(x1, w.F1, w.S1, byS1), hi1 = Math.Min(w.OutWidth - 1, (int)byS1.Divide((uint)x1));
                if (lo0 > hi0 || lo1 > hi1)
                    continue;
                (boxLo[0], boxHi[0]) = (Math.Min(boxLo[0], lo0), Math.Max(boxHi[0], hi0));
                (boxLo[1], boxHi[1]) = (Math.Min(boxLo[1], lo1), Math.Max(boxHi[1], hi1));
                for (int o0 = lo0; o0 <= hi0; o0++)
                    count = AddRow(w, x0 - o0 * w.S0, x1, o0 * w.OutWidth, lo1, hi1, linear, count, seen, b, tapCount);
            }
            ConvolutionRules.OrderSample(outSize, linear, offsets[b], count, seen, b, boxLo, boxHi, cursor);
        }
        offsets[input.BatchSize] = count;
        return new SparseGrid(outSize, input.BatchSize, linear, count, offsets);
    }

    /// <summary>ceil((x - f + 1) / s), at least 0: the first window that covers coordinate x.</summary>
    private static int First(int x, int f, int s, FastDivisor byS)
    {
        int first = x - f + s;
        return first <= 0 ? 0 : (int)byS.Divide((uint)first);
    }

    /// <summary>
    /// The windows o1 in [lo1, hi1] of output row <paramref name="rowStart"/> / width, which see input column
    /// <paramref name="x1"/> through filter row <paramref name="t0"/>: counts the pair of each, stamps new sites.
    /// </summary>
    private static int AddRow(Window w, int t0, int x1, int rowStart, int lo1, int hi1, long[] into, int count, Span<int> seen, int stamp, Span<int> tapCount)
    {
        int tapRow = t0 * w.F1 + x1;
        for (int o1 = lo1; o1 <= hi1; o1++)
        {
            tapCount[tapRow - o1 * w.S1]++;
            int site = rowStart + o1;
            if (seen[site] != stamp)
            {
                seen[site] = stamp;
                into[count++] = site;
            }
        }
        return count;
    }

    /// <summary>
    /// Lays the pairs out tap by tap (<paramref name="tapCount"/> sizes each tap's run), walking each sample's
    /// output rows in order with the sample's input rows written into <paramref name="rowAt"/> (all -1 before and after).
    /// </summary>
    private static RuleBook Pairs(SparseGrid input, SparseGrid output, Window w, ReadOnlySpan<int> tapCount, int[] rowAt)
    {
        int taps = tapCount.Length;
        int[] tapStart = new int[taps + 1];
        for (int t = 0; t < taps; t++)
            tapStart[t + 1] = tapStart[t] + tapCount[t];
        int pairs = tapStart[taps];
        int[] ins = ArrayPool<int>.Shared.Rent(Math.Max(1, pairs));
        int[] outs = ArrayPool<int>.Shared.Rent(Math.Max(1, pairs));
        Span<int> cursor = taps <= 256 ? stackalloc int[taps] : new int[taps];
        Span<int> offset = taps <= 256 ? stackalloc int[taps] : new int[taps];
        tapStart.AsSpan(0, taps).CopyTo(cursor);
        for (int t = 0; t < taps; t++)
            offset[t] = t / w.F1 * w.Width + t % w.F1;
        for (int b = 0; b < input.BatchSize; b++)
        {
            Stamp(input, b, rowAt, clear: false);
            SamplePairs(output, b, w, offset, rowAt, cursor, ins, outs);
            Stamp(input, b, rowAt, clear: true);
        }
        for (int t = 0; t < taps; t++)
            if (cursor[t] != tapStart[t + 1])
                throw new InvalidOperationException($"Tap {t} found {cursor[t] - tapStart[t]} pairs, expected {tapCount[t]}.");
        return RuleBook.FromPairs(taps, input.ActiveCount, output.ActiveCount, tapStart, ins, outs, pooled: true);
    }

    /// <summary>Writes sample <paramref name="b"/>'s input rows at their sites in <paramref name="rowAt"/>, or -1 when clearing.</summary>
    private static void Stamp(SparseGrid input, int b, int[] rowAt, bool clear)
    {
        ReadOnlySpan<long> linear = input.LinearIndexOfRow;
        for (int r = input.SampleOffsets[b]; r < input.SampleOffsets[b + 1]; r++)
            rowAt[(int)linear[r]] = clear ? -1 : r;
    }

    /// <summary>The pairs of sample <paramref name="b"/>'s output rows, in row order, appended at each tap's cursor.</summary>
    private static void SamplePairs(SparseGrid output, int b, Window w, ReadOnlySpan<int> offset, int[] rowAt, Span<int> cursor, int[] ins, int[] outs)
    {
        ReadOnlySpan<long> outLinear = output.LinearIndexOfRow;
        FastDivisor byOutWidth = new(w.OutWidth);
        for (int row = output.SampleOffsets[b]; row < output.SampleOffsets[b + 1]; row++)
        {
            uint site = (uint)outLinear[row];
            int o0 = (int)byOutWidth.Divide(site), o1 = (int)site - o0 * w.OutWidth;
            // A valid window lies inside the grid: every corner + offset is a site of this sample.
            int corner = o0 * w.S0 * w.Width + o1 * w.S1;
            for (int t = 0; t < offset.Length; t++)
            {
                int inRow = rowAt[corner + offset[t]];
                if (inRow >= 0)
                {
                    int p = cursor[t]++;
                    ins[p] = inRow;
                    outs[p] = row;
                }
            }
        }
    }
}
