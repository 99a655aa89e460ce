using System.Buffers;
using SpatiallySparse.Backends.Cpu.Simd;

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
        Plan plan = new(input, outSize, w);
        try
        {
            SparseGrid output = plan.ActiveOutputs();
            return (output, plan.Pairs(output));
        }
        finally
        {
            plan.Return();
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

    /// <summary><see cref="SamplePairs"/> for disjoint windows, whose one window per input the first pass noted.</summary>
    private static void SampleDisjointPairs(SparseGrid input, int b, int[] windowOf, Span<int> rowAt, Span<int> cursor, int[] ins, int[] outs)
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
    private static void SamplePairs(SparseGrid input, int b, in Window w, Span<int> rowAt, Span<int> cursor, int[] ins, int[] outs)
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
    /// <summary>
    /// One build split into chunks of whole samples that run on the worker pool: a sample's output sites and pairs
    /// depend on that sample alone. Each chunk stamps and maps sites in its own slice of one scratch array, counts
    /// its pairs per tap in local counters (shared ones would sit in one cache line that both cores write on every
    /// pair), and writes its pairs from its own cursors (the earlier chunks' counts added to each tap's start), so
    /// the rulebook and grid are those of a sequential build, pair for pair, for any chunk count. A struct, so a
    /// build allocates nothing of its own; the pool's operations take copies made once its arrays are set.
    /// </summary>
    private struct Plan
    {
        private readonly SparseGrid _input;
        private readonly SpatialSize _outSize;
        private readonly Window _w;
        private readonly int _taps;
        private readonly int _outVolume;
        private readonly int _chunks;
        private readonly long _perSite;
        private readonly int[] _scratch;       // chunk c: [c * outVolume, (c + 1) * outVolume): stamps, then rows
        private readonly int[] _tapCounts;     // chunk c: [c * taps, (c + 1) * taps): counts, then first slots; then the end slots
        private readonly int[] _counts;        // output sites found by each chunk
        private readonly int[]? _windowOf;     // disjoint windows: entries 2r, 2r + 1 for input row r
        private long[] _linear = [];
        private int[] _offsets = [];

        public Plan(SparseGrid input, SpatialSize outSize, Window w)
        {
            _input = input;
            _outSize = outSize;
            _w = w;
            _taps = w.F0 * w.F1;
            _outVolume = (int)outSize.Volume;
            // Each input site lies in at most ceil(f/s) windows per dimension.
            _perSite = (long)((w.F0 + w.S0 - 1) / w.S0) * ((w.F1 + w.S1 - 1) / w.S1);
            _chunks = ChunkCount(input.BatchSize, input.ActiveCount * _perSite);
            _scratch = ArrayPool<int>.Shared.Rent(_chunks * _outVolume);
            _scratch.AsSpan(0, _chunks * _outVolume).Fill(-1);
            _tapCounts = ArrayPool<int>.Shared.Rent(2 * _chunks * _taps);
            _counts = ArrayPool<int>.Shared.Rent(_chunks);
            // Windows that do not overlap (pooling) cover each input once: the first pass notes which, for the second.
            _windowOf = w.Disjoint ? ArrayPool<int>.Shared.Rent(Math.Max(1, 2 * input.ActiveCount)) : null;
        }

        /// <summary>Chunks of samples worth handing to the pool: one when the build is small.</summary>
        private static int ChunkCount(int batch, long windows) =>
            windows < 1 << 15 ? 1 : Math.Clamp(2 * Environment.ProcessorCount, 1, Math.Max(1, batch));

        private int FirstSample(int chunk) => (int)((long)_input.BatchSize * chunk / _chunks);

        /// <summary>Where chunk <paramref name="chunk"/> writes its output sites: room for every window of its inputs.</summary>
        private long RegionStart(int chunk) => _input.SampleOffsets[FirstSample(chunk)] * _perSite;

        /// <summary>The output grid: each chunk's samples (see <see cref="ChunkOutputs"/>), then their runs packed together.</summary>
        public SparseGrid ActiveOutputs()
        {
            long windows = _input.ActiveCount * _perSite;
            _linear = ArrayPool<long>.Shared.Rent((int)Math.Max(1, windows));
            _offsets = SparseGrid.RentOffsets(_input.BatchSize);
            RangeJob<OutputsOperation>.Run(new(this), _chunks, 1, windows * 8, Environment.ProcessorCount);
            int total = 0;
            for (int c = 0; c < _chunks; c++)
            {
                int shift = total - (int)RegionStart(c);
                if (shift != 0)
                {
                    Array.Copy(_linear, RegionStart(c), _linear, total, _counts[c]);
                    for (int b = FirstSample(c); b < FirstSample(c + 1); b++)
                        _offsets[b] += shift;
                }
                total += _counts[c];
            }
            _offsets[_input.BatchSize] = total;
            long[] linear = _linear;
            _linear = [];
            return SparseGrid.Create(_outSize, _input.BatchSize, linear, total, _offsets);
        }

        /// <summary>
        /// Chunk <paramref name="chunk"/>'s samples: each one's output sites in increasing order (stamped in the
        /// chunk's scratch, then read off the sample's bounding box or sorted: <see cref="ConvolutionRules.OrderSample"/>)
        /// and the chunk's pairs per tap. With disjoint windows, entries 2r and 2r + 1 of the window list get input
        /// row r's output site (-1 for none) and tap.
        /// </summary>
        private void ChunkOutputs(int chunk)
        {
            Span<int> seen = _scratch.AsSpan(chunk * _outVolume, _outVolume);
            Span<int> tapCount = _taps <= 256 ? stackalloc int[_taps] : new int[_taps];
            tapCount.Clear();
            Span<int> boxLo = stackalloc int[2], boxHi = stackalloc int[2], cursor = stackalloc int[2];
            ReadOnlySpan<long> inLinear = _input.LinearIndexOfRow;
            ReadOnlySpan<int> inOffsets = _input.SampleOffsets;
            long[] linear = _linear;
            int[]? windowOf = _windowOf;
            ref readonly Window w = ref _w;
            int start = (int)RegionStart(chunk), count = start;
            for (int b = FirstSample(chunk), bEnd = FirstSample(chunk + 1); b < bEnd; b++)
            {
                _offsets[b] = count;
                int boxLo0 = int.MaxValue, boxLo1 = int.MaxValue, boxHi0 = -1, boxHi1 = -1;
                for (int r = inOffsets[b], rEnd = inOffsets[b + 1]; r < rEnd; r++)
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
                ConvolutionRules.OrderSample(_outSize, linear, _offsets[b], count, seen, b, boxLo, boxHi, cursor);
            }
            _counts[chunk] = count - start;
            tapCount.CopyTo(_tapCounts.AsSpan(chunk * _taps, _taps));
        }

        /// <summary>Lays the pairs out tap by tap (the chunks' counts size each tap's run), sample by sample: see <see cref="ChunkPairs"/>.</summary>
        public RuleBook Pairs(SparseGrid output)
        {
            int[] tapStart = RuleBook.RentTapStart(_taps, pooled: true);
            for (int t = 0; t < _taps; t++)
            {
                int n = 0;
                for (int c = 0; c < _chunks; c++)
                {
                    // Each chunk's count in tap t becomes its first slot there.
                    int k = _tapCounts[c * _taps + t];
                    _tapCounts[c * _taps + t] = tapStart[t] + n;
                    n += k;
                }
                tapStart[t + 1] = tapStart[t] + n;
            }
            int pairs = tapStart[_taps];
            int[] ins = ArrayPool<int>.Shared.Rent(Math.Max(1, pairs));
            int[] outs = ArrayPool<int>.Shared.Rent(Math.Max(1, pairs));
            RangeJob<PairsOperation>.Run(new(this, output, ins, outs), _chunks, 1, pairs * 4L, Environment.ProcessorCount);
            // Each chunk must end exactly where the next one starts (the last one where its tap ends).
            int ends = _chunks * _taps;
            for (int c = 0; c < _chunks; c++)
                for (int t = 0; t < _taps; t++)
                {
                    int end = _tapCounts[ends + c * _taps + t], expected = c + 1 < _chunks ? _tapCounts[(c + 1) * _taps + t] : tapStart[t + 1];
                    if (end != expected)
                        throw new InvalidOperationException($"Tap {t}: sample chunk {c} ended at pair {end}, expected {expected}.");
                }
            return RuleBook.FromPairs(_taps, _input.ActiveCount, output.ActiveCount, tapStart, ins, outs, pooled: true);
        }

        /// <summary>
        /// Chunk <paramref name="chunk"/>'s pairs: per sample, its output rows are written at their sites in the
        /// chunk's scratch (stale entries of other samples are never read, as every window of an active input is
        /// an active output), then its input rows are walked in order, each pair going to its tap's cursor.
        /// </summary>
        private void ChunkPairs(int chunk, SparseGrid output, int[] ins, int[] outs)
        {
            Span<int> rowAt = _scratch.AsSpan(chunk * _outVolume, _outVolume);
            Span<int> cursor = _taps <= 256 ? stackalloc int[_taps] : new int[_taps];
            _tapCounts.AsSpan(chunk * _taps, _taps).CopyTo(cursor);
            ReadOnlySpan<long> outLinear = output.LinearIndexOfRow;
            ReadOnlySpan<int> outOffsets = output.SampleOffsets;
            for (int b = FirstSample(chunk), bEnd = FirstSample(chunk + 1); b < bEnd; b++)
            {
                for (int row = outOffsets[b], rowEnd = outOffsets[b + 1]; row < rowEnd; row++)
                    rowAt[(int)outLinear[row]] = row;
                if (_windowOf is null)
                    SamplePairs(_input, b, in _w, rowAt, cursor, ins, outs);
                else
                    SampleDisjointPairs(_input, b, _windowOf, rowAt, cursor, ins, outs);
            }
            cursor.CopyTo(_tapCounts.AsSpan((_chunks + chunk) * _taps, _taps));
        }

        public void Return()
        {
            ArrayPool<int>.Shared.Return(_scratch);
            ArrayPool<int>.Shared.Return(_tapCounts);
            ArrayPool<int>.Shared.Return(_counts);
            if (_windowOf is not null)
                ArrayPool<int>.Shared.Return(_windowOf);
            if (_linear.Length > 0)
                ArrayPool<long>.Shared.Return(_linear);
        }

        private readonly struct OutputsOperation(Plan plan) : IRangeOperation
        {
            public void Invoke(int first, int end)
            {
                for (int c = first; c < end; c++)
                    plan.ChunkOutputs(c);
            }
        }

        private readonly struct PairsOperation(Plan plan, SparseGrid output, int[] ins, int[] outs) : IRangeOperation
        {
            public void Invoke(int first, int end)
            {
                for (int c = first; c < end; c++)
                    plan.ChunkPairs(c, output, ins, outs);
            }
        }
    }
}
