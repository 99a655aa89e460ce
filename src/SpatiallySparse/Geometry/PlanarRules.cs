using System.Buffers;

namespace SpatiallySparse.Geometry;

/// <summary>
/// <see cref="ConvolutionRules"/> for directly addressed 2D grids (digits, pen strokes), the hot case of a 2D
/// training step. Coordinates are plain ints split by <see cref="FastDivisor"/>. The pass that finds the output
/// sites also counts each tap's pairs; a second pass walks the input sites again and writes every pair straight
/// into its final place, with no neighbour table and no lookups that miss (pooling builds its table on first
/// use). For a fixed tap, output = (input - tap) / stride keeps the inputs' row-major order, so walking the
/// inputs in row order leaves each tap's output rows increasing: the rulebook and output grid are the same as
/// the any-dimension paths build, pair for pair.
/// </summary>
internal static class PlanarRules
{
    /// <summary>The constants of one layer: filter, stride, input width, output extent, and the divisions used per site.</summary>
    private readonly record struct Window(int F0, int F1, int S0, int S1, int Width, int OutHeight, int OutWidth)
    {
        public FastDivisor ByWidth { get; } = new(Width);

        public FastDivisor ByS0 { get; } = new(S0);

        public FastDivisor ByS1 { get; } = new(S1);

        /// <summary>True when no two windows overlap, so each input site lies in at most one.</summary>
        public bool Disjoint => F0 <= S0 && F1 <= S1;
    }

    /// <summary>Input site (X0, X1) and the output windows [Lo0, Hi0] x [Lo1, Hi1] that cover it (empty when Lo > Hi).</summary>
    private readonly record struct Cover(int X0, int X1, int Lo0, int Hi0, int Lo1, int Hi1)
    {
        public bool IsEmpty => Lo0 > Hi0 || Lo1 > Hi1;
    }

    public static (SparseGrid Output, RuleBook Rules) Build(SparseGrid input, SpatialSize outSize, SpatialSize filter, SpatialSize stride)
    {
        Window w = new(filter[0], filter[1], stride[0], stride[1], input.Size[1], outSize[0], outSize[1]);
        int taps = w.F0 * w.F1, outVolume = (int)outSize.Volume;
        int[] seen = ArrayPool<int>.Shared.Rent(outVolume);
        // Windows that do not overlap (pooling) cover each input once: the first pass notes which, for the second.
        int[]? windowOf = w.Disjoint ? ArrayPool<int>.Shared.Rent(Math.Max(1, 2 * input.ActiveCount)) : null;
        Span<int> tapCount = taps <= 256 ? stackalloc int[taps] : new int[taps];
        try
        {
            tapCount.Clear();
            seen.AsSpan(0, outVolume).Fill(-1);
            SparseGrid output = ActiveOutputs(input, outSize, in w, seen, tapCount, windowOf);
            // The stamps are spent: the same array now maps each sample's output sites to rows.
            return (output, Pairs(input, output, in w, tapCount, seen, windowOf));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(seen);
            if (windowOf is not null)
                ArrayPool<int>.Shared.Return(windowOf);
        }
    }

    /// <summary>The windows covering input site <paramref name="site"/>: o*s &lt;= x &lt;= o*s + f - 1.</summary>
    private static Cover CoverOf(uint site, in Window w)
    {
        int x0 = (int)w.ByWidth.Divide(site), x1 = (int)site - x0 * w.Width;
        return new Cover(x0, x1,
            First(x0, w.F0, w.S0, w.ByS0), Math.Min(w.OutHeight - 1, (int)w.ByS0.Divide((uint)x0)),
            First(x1, w.F1, w.S1, w.ByS1), Math.Min(w.OutWidth - 1, (int)w.ByS1.Divide((uint)x1)));
    }

    /// <summary>ceil((x - f + 1) / s), at least 0: the first window that covers coordinate x.</summary>
    private static int First(int x, int f, int s, FastDivisor byS)
    {
        int first = x - f + s;
        return first <= 0 ? 0 : (int)byS.Divide((uint)first);
    }

    /// <summary>
    /// Each sample's output sites in increasing order (stamped in <paramref name="seen"/>, then read off the
    /// sample's bounding box or sorted: <see cref="ConvolutionRules.OrderSample"/>), and the pairs per tap. With
    /// <paramref name="windowOf"/> (disjoint windows), entries 2r and 2r + 1 get input row r's output site (-1
    /// for none) and tap.
    /// </summary>
    private static SparseGrid ActiveOutputs(SparseGrid input, SpatialSize outSize, in Window w, Span<int> seen, Span<int> tapCount, int[]? windowOf)
    {
        // Each input site lies in at most ceil(f/s) windows per dimension.
        long perSite = (long)((w.F0 + w.S0 - 1) / w.S0) * ((w.F1 + w.S1 - 1) / w.S1);
        int bound = (int)Math.Min(input.ActiveCount * perSite, input.BatchSize * outSize.Volume);
        long[] linear = ArrayPool<long>.Shared.Rent(Math.Max(1, bound));
        int[] offsets = SparseGrid.RentOffsets(input.BatchSize);
        Span<int> boxLo = stackalloc int[2], boxHi = stackalloc int[2], cursor = stackalloc int[2];
        ReadOnlySpan<long> inLinear = input.LinearIndexOfRow;
        int count = 0;
        for (int b = 0; b < input.BatchSize; b++)
        {
            offsets[b] = count;
            int boxLo0 = int.MaxValue, boxLo1 = int.MaxValue, boxHi0 = -1, boxHi1 = -1;
            for (int r = input.SampleOffsets[b], rEnd = input.SampleOffsets[b + 1]; r < rEnd; r++)
            {
                Cover c = CoverOf((uint)inLinear[r], in w);
                if (windowOf is not null)
                    (windowOf[2 * r], windowOf[2 * r + 1]) = c.IsEmpty ? (-1, 0) : (c.Lo0 * w.OutWidth + c.Lo1, (c.X0 - c.Lo0 * w.S0) * w.F1 + c.X1 - c.Lo1 * w.S1);
                if (c.IsEmpty)
                    continue;
                (boxLo0, boxHi0) = (Math.Min(boxLo0, c.Lo0), Math.Max(boxHi0, c.Hi0));
                (boxLo1, boxHi1) = (Math.Min(boxLo1, c.Lo1), Math.Max(boxHi1, c.Hi1));
                for (int o0 = c.Lo0; o0 <= c.Hi0; o0++)
                    count = AddRow(in w, c.X0 - o0 * w.S0, c.X1, o0 * w.OutWidth, c.Lo1, c.Hi1, linear, count, seen, b, tapCount);
            }
            (boxLo[0], boxLo[1], boxHi[0], boxHi[1]) = (boxLo0, boxLo1, boxHi0, boxHi1);
            ConvolutionRules.OrderSample(outSize, linear, offsets[b], count, seen, b, boxLo, boxHi, cursor);
        }
        offsets[input.BatchSize] = count;
        return new SparseGrid(outSize, input.BatchSize, linear, count, offsets);
    }

    /// <summary>
    /// The windows o1 in [lo1, hi1] of output row <paramref name="rowStart"/> / width, which see input column
    /// <paramref name="x1"/> through filter row <paramref name="t0"/>: counts the pair of each, stamps new sites.
    /// </summary>
    private static int AddRow(in Window w, int t0, int x1, int rowStart, int lo1, int hi1, long[] into, int count, Span<int> seen, int stamp, Span<int> tapCount)
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
    /// Lays the pairs out tap by tap (<paramref name="tapCount"/> sizes each tap's run), sample by sample: the
    /// sample's output rows are written at their sites in <paramref name="rowAt"/> (over the output grid; stale
    /// entries of other samples are never read, as every window of an active input is an active output), then
    /// its input rows are walked in order.
    /// </summary>
    private static RuleBook Pairs(SparseGrid input, SparseGrid output, in Window w, ReadOnlySpan<int> tapCount, int[] rowAt, int[]? windowOf)
    {
        int taps = tapCount.Length;
        int[] tapStart = RuleBook.RentTapStart(taps, pooled: true);
        for (int t = 0; t < taps; t++)
            tapStart[t + 1] = tapStart[t] + tapCount[t];
        int pairs = tapStart[taps];
        int[] ins = ArrayPool<int>.Shared.Rent(Math.Max(1, pairs));
        int[] outs = ArrayPool<int>.Shared.Rent(Math.Max(1, pairs));
        Span<int> cursor = taps <= 256 ? stackalloc int[taps] : new int[taps];
        tapStart.AsSpan(0, taps).CopyTo(cursor);
        ReadOnlySpan<long> outLinear = output.LinearIndexOfRow;
        for (int b = 0; b < input.BatchSize; b++)
        {
            for (int row = output.SampleOffsets[b], rowEnd = output.SampleOffsets[b + 1]; row < rowEnd; row++)
                rowAt[(int)outLinear[row]] = row;
            if (windowOf is null)
                SamplePairs(input, b, in w, rowAt, cursor, ins, outs);
            else
                SampleDisjointPairs(input, b, windowOf, rowAt, cursor, ins, outs);
        }
        for (int t = 0; t < taps; t++)
            if (cursor[t] != tapStart[t + 1])
                throw new InvalidOperationException($"Tap {t} found {cursor[t] - tapStart[t]} pairs, expected {tapCount[t]}.");
        return RuleBook.FromPairs(taps, input.ActiveCount, output.ActiveCount, tapStart, ins, outs, pooled: true);
    }

    /// <summary><see cref="SamplePairs"/> for disjoint windows, whose one window per input the first pass noted.</summary>
    private static void SampleDisjointPairs(SparseGrid input, int b, int[] windowOf, int[] rowAt, Span<int> cursor, int[] ins, int[] outs)
    {
        for (int r = input.SampleOffsets[b], rEnd = input.SampleOffsets[b + 1]; r < rEnd; r++)
        {
            int site = windowOf[2 * r];
            if (site < 0)
                continue;
            int p = cursor[windowOf[2 * r + 1]]++;
            ins[p] = r;
            outs[p] = rowAt[site];
        }
    }

    /// <summary>The pairs of sample <paramref name="b"/>'s input rows, in row order, appended at each tap's cursor.</summary>
    private static void SamplePairs(SparseGrid input, int b, in Window w, int[] rowAt, Span<int> cursor, int[] ins, int[] outs)
    {
        ReadOnlySpan<long> inLinear = input.LinearIndexOfRow;
        for (int r = input.SampleOffsets[b], rEnd = input.SampleOffsets[b + 1]; r < rEnd; r++)
        {
            Cover c = CoverOf((uint)inLinear[r], in w);
            for (int o0 = c.Lo0; o0 <= c.Hi0; o0++)
            {
                int tapRow = (c.X0 - o0 * w.S0) * w.F1 + c.X1, rowStart = o0 * w.OutWidth;
                for (int o1 = c.Lo1; o1 <= c.Hi1; o1++)
                {
                    int p = cursor[tapRow - o1 * w.S1]++;
                    ins[p] = r;
                    outs[p] = rowAt[rowStart + o1];
                }
            }
        }
    }
}
