using System.Buffers;
using System.Numerics;
using SpatiallySparse.Backends.Cpu.Simd;

namespace SpatiallySparse.Geometry;

/// <summary>
/// Rules of 3D valid and strided convolutions, pooling and deconvolutions by merging sorted lines, with no table
/// over the grid and no hash map (the windowed counterpart of <see cref="VolumeRules"/>). Both grids are cut into
/// lines, runs of rows with the same sample, x0 and x1; a window joins a coarse site o (a convolution's output, a
/// deconvolution's input) to the fine sites o * s + t. The fine lines under a coarse line's windows are found by
/// cursors that only move forward as the coarse lines go up, and along a line the fine sites of consecutive
/// coarse sites are found by cursors too, so every pass is linear in the sites and the grid's size never
/// matters. Output sites come out in order from two small bitmaps, over one coarse plane's lines and one line's
/// sites. The grids and rulebooks are those of <see cref="ConvolutionRules"/> and <see cref="DeconvolutionRules"/>'
/// other paths, pair for pair.
/// </summary>
internal static class VolumeWindows
{
    /// <summary>Whether the merge takes this window: 3D, at most <see cref="MaxLines"/> fine lines under a coarse line's windows.</summary>
    public static bool Handles(SpatialSize size, SpatialSize filter) =>
        size.Dimension == 3 && filter[0] * filter[1] <= MaxLines;

    /// <summary>Most fine lines one coarse line's windows cover (the cursors and streams live on the stack).</summary>
    private const int MaxLines = 64;

    /// <summary>
    /// The output grid and rules of a valid or strided convolution (or pooling window) from <paramref name="input"/>:
    /// the output sites by <see cref="CoarseSites"/>, then the pairs by <see cref="PairJob"/> on up to
    /// <paramref name="threads"/> workers (0: <see cref="GeometryThreads"/>).
    /// </summary>
    public static (SparseGrid Output, RuleBook Rules) Convolution(SparseGrid input, SpatialSize outSize, SpatialSize filter, SpatialSize stride,
        int threads = 0)
    {
        Frame frame = new(input.Size, outSize, filter, stride);
        VolumeLines fine = VolumeLines.Of(input), coarse = default;
        try
        {
            SparseGrid output = CoarseSites(input, fine, frame, outSize);
            coarse = VolumeLines.Of(output);
            int[] table = Pairs(frame, coarse, fine, output, input, fineMajor: false, threads);
            return (output, RuleBook.FromNeighbourTable(frame.Taps, input.ActiveCount, output.ActiveCount, table, pooled: true));
        }
        finally
        {
            fine.Return();
            coarse.Return();
        }
    }

    /// <summary>
    /// The rules of a deconvolution from <paramref name="input"/> (coarse) to the existing fine grid
    /// <paramref name="output"/>: input o feeds output o * s + t through tap t when that site is active.
    /// </summary>
    public static RuleBook Deconvolution(SparseGrid input, SparseGrid output, SpatialSize filter, SpatialSize stride, int threads = 0)
    {
        Frame frame = new(output.Size, input.Size, filter, stride);
        VolumeLines coarse = VolumeLines.Of(input), fine = VolumeLines.Of(output);
        try
        {
            int[] table = Pairs(frame, coarse, fine, input, output, fineMajor: true, threads);
            return RuleBook.FromNeighbourTable(frame.Taps, input.ActiveCount, output.ActiveCount, table, pooled: true);
        }
        finally
        {
            coarse.Return();
            fine.Return();
        }
    }

    /// <summary>
    /// The sites a deconvolution from <paramref name="input"/> reaches (every o * s + t), sample by sample in increasing
    /// order: fine planes in order, each from the coarse planes whose windows hold it (<see cref="FinePlane"/>).
    /// </summary>
    public static SparseGrid ReachedSites(SparseGrid input, SpatialSize outSize, SpatialSize filter, SpatialSize stride)
    {
        Frame f = new(outSize, input.Size, filter, stride);
        VolumeLines coarse = VolumeLines.Of(input);
        try
        {
            return CollectSites(input, coarse, f, outSize, filter.Volume, f.Fine1 / 64 + 1, f.Fine2 / 64 + 1, FineSample);
        }
        finally
        {
            coarse.Return();
        }
    }

    private static void FineSample(in Frame f, in VolumeLines coarse, int first, int end, ref Scratch scratch)
    {
        int p = first;
        for (int x0 = first < end ? coarse.X0[first] * f.S0 : 0; p < end && x0 < f.Fine0; )
        {
            (int lo, int hi) = Frame.Covering(x0, f.F0, f.By0, f.C0);
            while (p < end && coarse.X0[p] < lo)
                p++;
            if (p == end)
                return;
            if (coarse.X0[p] > hi)
            {
                x0 = coarse.X0[p] * f.S0;  // no window holds the planes before the next coarse plane's first
                continue;
            }
            int q = p;
            while (q < end && coarse.X0[q] <= hi)
                q++;
            FinePlane(f, coarse, x0, lo, p, q, ref scratch);
            x0++;
        }
    }

    /// <summary>Fine plane <paramref name="x0"/> from coarse lines [p, q) of planes from <paramref name="o0First"/> on: its lines x1 off a bitmap, each by <see cref="FineLine"/>.</summary>
    private static void FinePlane(in Frame f, in VolumeLines coarse, int x0, int o0First, int p, int q, ref Scratch scratch)
    {
        Span<ulong> bits = scratch.Columns;
        int wordLo = int.MaxValue, wordHi = -1;
        for (int l = p; l < q; l++)
        {
            int lo = coarse.X1[l] * f.S1, hi = lo + f.F1 - 1;
            for (int x = lo; x <= hi; x++)
                bits[x >> 6] |= 1UL << x;
            (wordLo, wordHi) = (Math.Min(wordLo, lo >> 6), Math.Max(wordHi, hi >> 6));
        }
        // cursor[i]: the first line of coarse plane o0First + i not behind the current fine line's windows.
        int planes = coarse.X0[q - 1] - o0First + 1;
        Span<int> cursor = stackalloc int[planes];
        for (int i = 0, c = p; i < planes; i++)
        {
            while (c < q && coarse.X0[c] < o0First + i)
                c++;
            cursor[i] = c;
        }
        for (int w = wordLo; w <= wordHi; w++)
        {
            for (ulong word = bits[w]; word != 0; word &= word - 1)
                FineLine(f, coarse, x0, o0First, w * 64 + BitOperations.TrailingZeroCount(word), cursor, q, ref scratch);
            bits[w] = 0;
        }
    }

    /// <summary>Fine line (x0, x1): every site o2 * s2 + t2 of the coarse lines whose windows hold it sets a bit, read off in order.</summary>
    private static void FineLine(in Frame f, in VolumeLines coarse, int x0, int o0First, int x1, scoped Span<int> cursor, int q, ref Scratch scratch)
    {
        Span<ulong> bits = scratch.Sites;
        ReadOnlySpan<long> linear = scratch.FineLinear;  // the coarse sites here
        (int lo1, int hi1) = Frame.Covering(x1, f.F1, f.By1, f.C1);
        int wordLo = int.MaxValue, wordHi = -1;
        for (int i = 0; i < cursor.Length; i++)
        {
            int o0 = o0First + i, c = cursor[i];
            while (c < q && coarse.X0[c] == o0 && coarse.X1[c] < lo1)
                c++;
            cursor[i] = c;
            for (int l = c; l < q && coarse.X0[l] == o0 && coarse.X1[l] <= hi1; l++)
            {
                long lineStart = ((long)o0 * f.C1 + coarse.X1[l]) * f.C2;
                for (int r = coarse.First[l], rEnd = coarse.First[l + 1]; r < rEnd; r++)
                {
                    int lo = (int)(linear[r] - lineStart) * f.S2, hi = lo + f.F2 - 1;
                    for (int x = lo; x <= hi; x++)
                        bits[x >> 6] |= 1UL << x;
                    (wordLo, wordHi) = (Math.Min(wordLo, lo >> 6), Math.Max(wordHi, hi >> 6));
                }
            }
        }
        long fineStart = ((long)x0 * f.Fine1 + x1) * f.Fine2;
        scratch.DrainSites(wordLo, wordHi, fineStart);
    }

    /// <summary>
    /// The neighbour table (pooled) of every window pair: coarse-major (entry o * taps + t = fine row, the
    /// convolution's table) or, with <paramref name="fineMajor"/>, fine-major (entry x * taps + t = coarse row, the
    /// deconvolution's); -1 where a window holds no active site.
    /// </summary>
    private static int[] Pairs(in Frame frame, in VolumeLines coarse, in VolumeLines fine, SparseGrid coarseGrid, SparseGrid fineGrid, bool fineMajor, int threads)
    {
        int rows = fineMajor ? fineGrid.ActiveCount : coarseGrid.ActiveCount;
        int entries = checked(rows * frame.Taps);
        int[] table = ArrayPool<int>.Shared.Rent(Math.Max(1, entries));
        // A fine row hears from several coarse lines (in different blocks): cleared up front. Coarse rows are cleared by their block.
        if (fineMajor)
            table.AsSpan(0, entries).Fill(-1);
        int blocks = (coarse.Count + BlockLines - 1) / BlockLines;
        long work = (long)coarseGrid.ActiveCount * frame.Taps + fineGrid.ActiveCount;
        RangeJob<PairJob>.Run(new(frame, coarse, fine, coarseGrid, fineGrid, table, fineMajor), blocks, 1, work, GeometryThreads.For(threads));
        return table;
    }

    /// <summary>Coarse lines per block of the pair pass: a block finds its first fine lines by binary search, then walks.</summary>
    private const int BlockLines = 256;

    /// <summary>
    /// The output sites of a convolution, sample by sample in increasing order (pooled storage the grid takes over):
    /// coarse planes in order, each from the fine planes under its windows (<see cref="CoarsePlane"/>).
    /// </summary>
    private static SparseGrid CoarseSites(SparseGrid input, in VolumeLines fine, in Frame f, SpatialSize outSize)
    {
        // Each input site lies in at most ceil(f/s) windows per axis.
        long perSite = (long)Ceiling(f.F0, f.S0) * Ceiling(f.F1, f.S1) * Ceiling(f.F2, f.S2);
        return CollectSites(input, fine, f, outSize, perSite, f.C1 / 64 + 1, f.C2 / 64 + 1, CoarseSample);
    }

    /// <summary>The per-sample pass that finds one sample's output sites (in order) into the scratch.</summary>
    private delegate void SampleSites(in Frame f, in VolumeLines lines, int first, int end, ref Scratch scratch);

    /// <summary>
    /// The output grid of <paramref name="input"/>'s windows: <paramref name="sample"/> per sample over the lines, with
    /// two bitmaps of <paramref name="words1"/> and <paramref name="words2"/> words and room for
    /// <paramref name="perSite"/> output sites per input site.
    /// </summary>
    private static SparseGrid CollectSites(SparseGrid input, in VolumeLines lines, in Frame f, SpatialSize outSize, long perSite, int words1, int words2,
        SampleSites sample)
    {
        long[] linear = ArrayPool<long>.Shared.Rent(Math.Max(1, checked((int)(input.ActiveCount * perSite))));
        int[] offsets = SparseGrid.RentOffsets(input.BatchSize);
        ulong[] bits = ArrayPool<ulong>.Shared.Rent(words1 + words2);
        try
        {
            bits.AsSpan(0, words1 + words2).Clear();  // each bitmap is cleared again as it is read
            Scratch scratch = new(bits.AsSpan(0, words1), bits.AsSpan(words1, words2), linear, input.LinearIndexOfRow);
            for (int b = 0; b < input.BatchSize; b++)
            {
                offsets[b] = scratch.Count;
                sample(f, lines, lines.SampleStart[b], lines.SampleStart[b + 1], ref scratch);
            }
            offsets[input.BatchSize] = scratch.Count;
            return SparseGrid.Create(outSize, input.BatchSize, linear, scratch.Count, offsets);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(bits);
        }
    }

    private ref struct Scratch(Span<ulong> columns, Span<ulong> sites, long[] output, ReadOnlySpan<long> fineLinear)
    {
        public readonly Span<ulong> Columns = columns;      // one bit per x1 window of the current coarse plane
        public readonly Span<ulong> Sites = sites;          // one bit per x2 window of the current coarse line
        public readonly long[] Output = output;
        public readonly ReadOnlySpan<long> FineLinear = fineLinear;
        public int Count;

        /// <summary>
        /// Appends the line's marked sites in order (<paramref name="lineStart"/> + bit index) from the words
        /// [<paramref name="wordLo"/>, <paramref name="wordHi"/>] of <see cref="Sites"/>, clearing them for the next line.
        /// </summary>
        public void DrainSites(int wordLo, int wordHi, long lineStart)
        {
            int count = Count;
            for (int w = wordLo; w <= wordHi; w++)
            {
                for (ulong word = Sites[w]; word != 0; word &= word - 1)
                    Output[count++] = lineStart + w * 64 + BitOperations.TrailingZeroCount(word);
                Sites[w] = 0;
            }
            Count = count;
        }
    }

    /// <summary>
    /// Fine lines [first, end) (one sample's): each coarse plane o0 in order, with the fine lines of planes
    /// [o0 * s0, o0 * s0 + f0), which are contiguous.
    /// </summary>
    private static void CoarseSample(in Frame f, in VolumeLines fine, int first, int end, ref Scratch scratch)
    {
        int p = first;
        for (int o0 = -1; ;)
        {
            // Lines of planes before the next window's start are behind every later window.
            while (p < end && fine.X0[p] < (o0 + 1) * f.S0)
                p++;
            if (p == end)
                return;
            int x0 = fine.X0[p];
            (int lo, int hi) = Frame.Covering(x0, f.F0, f.By0, f.C0);
            if (Math.Max(o0 + 1, lo) > hi)
            {
                // A plane between windows (f < s): in none.
                while (p < end && fine.X0[p] == x0)
                    p++;
                continue;
            }
            o0 = Math.Max(o0 + 1, lo);
            int q = p;
            while (q < end && fine.X0[q] < o0 * f.S0 + f.F0)
                q++;
            CoarsePlane(f, fine, o0, p, q, ref scratch);
        }
    }

    /// <summary>Coarse plane <paramref name="o0"/> from fine lines [p, q): its lines o1 in order off a bitmap, each by <see cref="CoarseLine"/>.</summary>
    private static void CoarsePlane(in Frame f, in VolumeLines fine, int o0, int p, int q, ref Scratch scratch)
    {
        Span<ulong> bits = scratch.Columns;
        int wordLo = int.MaxValue, wordHi = -1;
        for (int l = p; l < q; l++)
        {
            (int lo, int hi) = Frame.Covering(fine.X1[l], f.F1, f.By1, f.C1);
            for (int o = lo; o <= hi; o++)
                bits[o >> 6] |= 1UL << o;  // a ulong shift counts mod 64
            if (lo <= hi)
                (wordLo, wordHi) = (Math.Min(wordLo, lo >> 6), Math.Max(wordHi, hi >> 6));
        }
        // cursor[t0]: the first line of plane o0 * s0 + t0 not behind the current coarse line's windows.
        Span<int> cursor = stackalloc int[f.F0];
        for (int t0 = 0, c = p; t0 < f.F0; t0++)
        {
            while (c < q && fine.X0[c] < o0 * f.S0 + t0)
                c++;
            cursor[t0] = c;
        }
        for (int w = wordLo; w <= wordHi; w++)
        {
            for (ulong word = bits[w]; word != 0; word &= word - 1)
                CoarseLine(f, fine, o0, w * 64 + BitOperations.TrailingZeroCount(word), cursor, q, ref scratch);
            bits[w] = 0;
        }
    }

    /// <summary>Coarse line (o0, o1): the windows of every site of the fine lines under it set bits, read off in order.</summary>
    private static void CoarseLine(in Frame f, in VolumeLines fine, int o0, int o1, scoped Span<int> cursor, int q, ref Scratch scratch)
    {
        Span<ulong> bits = scratch.Sites;
        ReadOnlySpan<long> linear = scratch.FineLinear;
        int wordLo = int.MaxValue, wordHi = -1, x1First = o1 * f.S1;
        for (int t0 = 0; t0 < f.F0; t0++)
        {
            int x0 = o0 * f.S0 + t0, c = cursor[t0];
            while (c < q && fine.X0[c] == x0 && fine.X1[c] < x1First)
                c++;
            cursor[t0] = c;
            for (int l = c; l < q && fine.X0[l] == x0 && fine.X1[l] < x1First + f.F1; l++)
            {
                long lineStart = ((long)x0 * f.Fine1 + fine.X1[l]) * f.Fine2;
                for (int r = fine.First[l], rEnd = fine.First[l + 1]; r < rEnd; r++)
                {
                    (int lo, int hi) = Frame.Covering((int)(linear[r] - lineStart), f.F2, f.By2, f.C2);
                    for (int o = lo; o <= hi; o++)
                        bits[o >> 6] |= 1UL << o;
                    if (lo <= hi)
                        (wordLo, wordHi) = (Math.Min(wordLo, lo >> 6), Math.Max(wordHi, hi >> 6));
                }
            }
        }
        long coarseStart = ((long)o0 * f.C1 + o1) * f.C2;
        scratch.DrainSites(wordLo, wordHi, coarseStart);
    }

    private static int Ceiling(int a, int b) => (a + b - 1) / b;

    /// <summary>
    /// Blocks [first, end) of coarse lines: for each coarse line, the fine lines under its windows (one cursor per
    /// (t0, t1), moving forward only: the fine line a given tap reaches goes up with the coarse line), then for
    /// each coarse site the fine sites of its window (one cursor per fine line, forward only as well).
    /// </summary>
    private readonly struct PairJob(Frame f, VolumeLines coarse, VolumeLines fine, SparseGrid coarseGrid, SparseGrid fineGrid, int[] table, bool fineMajor)
        : IRangeOperation
    {
        public void Invoke(int first, int end)
        {
            GeometryThreads.Observe();
            int lineFirst = first * BlockLines, lineEnd = Math.Min(end * BlockLines, coarse.Count), windows = f.F0 * f.F1;
            Span<int> cursor = stackalloc int[windows];
            Span<int> streamFirst = stackalloc int[windows], streamEnd = stackalloc int[windows], streamTap = stackalloc int[windows];
            Span<long> streamStart = stackalloc long[windows];
            int b = SampleOf(lineFirst);
            for (int t0 = 0, t = 0; t0 < f.F0; t0++)
                for (int t1 = 0; t1 < f.F1; t1++, t++)
                    cursor[t] = SortedSearch.LowerBound<long>(fine.Key.AsSpan(0, fine.Count), FineKey(b, coarse.X0[lineFirst], coarse.X1[lineFirst], t0, t1));
            for (int j = lineFirst; j < lineEnd; j++)
            {
                while (j >= coarse.SampleStart[b + 1])
                    b++;
                int o0 = coarse.X0[j], o1 = coarse.X1[j], streams = 0;
                for (int t0 = 0, t = 0; t0 < f.F0; t0++)
                    for (int t1 = 0; t1 < f.F1; t1++, t++)
                    {
                        long target = FineKey(b, o0, o1, t0, t1);
                        int c = cursor[t];
                        while (fine.Key[c] < target)
                            c++;
                        cursor[t] = c;
                        if (fine.Key[c] != target)
                            continue;
                        (streamFirst[streams], streamEnd[streams], streamTap[streams]) = (fine.First[c], fine.First[c + 1], (t0 * f.F1 + t1) * f.F2);
                        streamStart[streams++] = ((long)(o0 * f.S0 + t0) * f.Fine1 + o1 * f.S1 + t1) * f.Fine2;
                    }
                Line(coarse.First[j], coarse.First[j + 1], ((long)o0 * f.C1 + o1) * f.C2,
                    streamFirst[..streams], streamEnd[..streams], streamTap[..streams], streamStart[..streams]);
            }
        }

        /// <summary>Coarse rows [first, end) of one line against its fine lines (the streams, whose cursors advance).</summary>
        private void Line(int first, int end, long coarseStart, Span<int> cursor, ReadOnlySpan<int> streamEnd, ReadOnlySpan<int> streamTap,
            ReadOnlySpan<long> streamStart)
        {
            ReadOnlySpan<long> coarseLinear = coarseGrid.LinearIndexOfRow, fineLinear = fineGrid.LinearIndexOfRow;
            int taps = f.Taps;
            if (!fineMajor)
                table.AsSpan(first * taps, (end - first) * taps).Fill(-1);
            for (int o = first; o < end; o++)
            {
                long windowStart = (coarseLinear[o] - coarseStart) * f.S2;
                for (int k = 0; k < cursor.Length; k++)
                {
                    long from = streamStart[k] + windowStart;
                    int c = cursor[k], cEnd = streamEnd[k];
                    while (c < cEnd && fineLinear[c] < from)
                        c++;
                    cursor[k] = c;
                    for (; c < cEnd && fineLinear[c] < from + f.F2; c++)
                    {
                        int tap = streamTap[k] + (int)(fineLinear[c] - from);
                        if (fineMajor)
                            table[c * taps + tap] = o;
                        else
                            table[o * taps + tap] = c;
                    }
                }
            }
        }

        /// <summary>Key of the fine line that tap (t0, t1, ·) of coarse line (o0, o1) in sample b reaches.</summary>
        private long FineKey(int b, int o0, int o1, int t0, int t1) =>
            ((long)b * f.Fine0 + o0 * f.S0 + t0) * f.Fine1 + o1 * f.S1 + t1;

        private int SampleOf(int line)
        {
            int b = 0;
            while (line >= coarse.SampleStart[b + 1])
                b++;
            return b;
        }
    }

    /// <summary>
    /// The window arithmetic of one build: the fine grid (a convolution's input, a deconvolution's output), the
    /// coarse one, filter and stride per axis.
    /// </summary>
    private readonly struct Frame
    {
        public readonly int F0, F1, F2, S0, S1, S2, Fine0, Fine1, Fine2, C0, C1, C2;
        public readonly FastDivisor By0, By1, By2;

        public Frame(SpatialSize fine, SpatialSize coarse, SpatialSize filter, SpatialSize stride)
        {
            (F0, F1, F2, S0, S1, S2) = (filter[0], filter[1], filter[2], stride[0], stride[1], stride[2]);
            (Fine0, Fine1, Fine2, C0, C1, C2) = (fine[0], fine[1], fine[2], coarse[0], coarse[1], coarse[2]);
            (By0, By1, By2) = (new FastDivisor(S0), new FastDivisor(S1), new FastDivisor(S2));
        }

        public int Taps => F0 * F1 * F2;

        /// <summary>The windows [Lo, Hi] that cover fine coordinate x along one axis (Lo &gt; Hi: none): o * s &lt;= x &lt;= o * s + f - 1.</summary>
        public static (int Lo, int Hi) Covering(int x, int filter, FastDivisor byStride, int windows) =>
            (x < filter ? 0 : (int)byStride.Divide((uint)(x - filter)) + 1, Math.Min(windows - 1, (int)byStride.Divide((uint)x)));
    }
}
