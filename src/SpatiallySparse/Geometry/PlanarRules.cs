using System.Buffers;
using System.Numerics;
using SpatiallySparse.Backends.Cpu.Simd;

namespace SpatiallySparse.Geometry;

/// <summary>
/// <see cref="ConvolutionRules"/> for directly addressed 2D grids (digits, pen strokes), the hot case of a 2D
/// training step. Per-coordinate tables (<see cref="PlanarAxis"/>) replace the divisions. The pass that finds the
/// output sites sets their bits in a bitmap over the output grid (no test per window: a site found twice is
/// just set twice), reads each sample's sites off the bitmap in increasing order, and counts the inputs per pair
/// of axis classes, from which each tap's pair count follows. A second pass walks the input sites again and writes
/// every pair straight into its final place. For a fixed tap, output = (input - tap) / stride keeps the inputs'
/// row-major order, so walking the inputs in row order leaves each tap's output rows increasing: the rulebook and
/// output grid are the same as the any-dimension paths build, pair for pair.
/// </summary>
internal static partial class PlanarRules
{
    /// <summary>Longest axis the tables are built for: eight table entries per coordinate stay small next to the grid.</summary>
    public const int MaxAxis = 1 << 16;

    /// <summary>Whether the tables handle this grid and window (axes up to <see cref="MaxAxis"/> long, filters up to <see cref="PlanarAxis.MaxFilter"/> wide).</summary>
    public static bool Handles(SpatialSize grid, SpatialSize filter) =>
        grid[0] <= MaxAxis && grid[1] <= MaxAxis && filter[0] <= PlanarAxis.MaxFilter && filter[1] <= PlanarAxis.MaxFilter;

    /// <summary>
    /// The output grid and rules; samples are split into chunks that run on up to <paramref name="threads"/>
    /// workers (0: one per processor, or the calling thread's <see cref="GeometryThreads"/> cap). The result does not depend on the thread count.
    /// </summary>
    public static (SparseGrid Output, RuleBook Rules) Build(SparseGrid input, SpatialSize outSize, SpatialSize filter, SpatialSize stride, int threads = 0)
    {
        Plan plan = new(input, outSize, filter, stride, GeometryThreads.For(threads));
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

    /// <summary>
    /// One build split into chunks of whole samples that run on the worker pool: a sample's output sites and pairs
    /// depend on that sample alone. Each chunk sets bits and maps sites in its own slices of the scratch arrays,
    /// counts its inputs per class pair in local counters (shared ones would sit in one cache line that both
    /// cores write on every input), and writes its pairs from its own cursors (the earlier chunks' counts added to
    /// each tap's start), so the rulebook and grid are those of a sequential build, pair for pair, for any chunk
    /// count. A struct, so a build allocates nothing of its own; the pool's operations take copies made once its
    /// arrays are set.
    /// </summary>
    private partial struct Plan
    {
        /// <summary>Padding between chunks' slices of scratch, so that two chunks never write one cache line.</summary>
        private const int Gap = 16;

        private readonly SparseGrid _input;
        private readonly SpatialSize _outSize;
        private readonly PlanarAxis _rows;      // input rows (x0) against output rows
        private readonly PlanarAxis _columns;   // input columns (x1) against output columns
        private readonly FastDivisor _byWidth;
        private readonly int _threads;
        private readonly int _taps;
        private readonly bool _disjoint;        // no two windows overlap (pooling): each input lies in at most one
        private readonly int[]? _windowOf;      // disjoint windows: entries 2r, 2r + 1: input row r's output site (-1: none) and tap
        private readonly ulong[]? _pairTaps;    // stride 1, at most 64 taps: each class pair's valid taps (SampleUnitStridePairs)
        private readonly int _chunks;
        private readonly long _perSite;
        private readonly int _wordsPerRow;      // bitmap words per output row, one more than needed (see PlanarAxis.Masks)
        private readonly ulong[] _bits;         // chunk c's output bitmap: from c * BitsStride; all zero between samples
        private readonly int[] _rowAt;          // chunk c's output site -> row: from c * RowAtStride
        private readonly int[] _tapCounts;      // chunk c: [c * taps, (c + 1) * taps): counts, then first slots; then the end slots
        private readonly int[] _counts;         // output sites found by each chunk
        private long[] _linear = [];
        private int[] _offsets = [];

        public Plan(SparseGrid input, SpatialSize outSize, SpatialSize filter, SpatialSize stride, int threads)
        {
            _input = input;
            _outSize = outSize;
            _rows = PlanarAxis.Rent(input.Size[0], filter[0], stride[0], outSize[0]);
            _columns = PlanarAxis.Rent(input.Size[1], filter[1], stride[1], outSize[1]);
            _byWidth = new FastDivisor(input.Size[1]);
            _threads = threads;
            _taps = filter[0] * filter[1];
            _disjoint = filter[0] <= stride[0] && filter[1] <= stride[1];
            // Each input site lies in at most ceil(f/s) windows per dimension.
            _perSite = (long)((filter[0] + stride[0] - 1) / stride[0]) * ((filter[1] + stride[1] - 1) / stride[1]);
            _chunks = ChunkCount(input.BatchSize, input.ActiveCount * _perSite, threads);
            _wordsPerRow = (outSize[1] + 63) / 64 + 1;
            _bits = ArrayPool<ulong>.Shared.Rent(_chunks * BitsStride);
            _bits.AsSpan(0, _chunks * BitsStride).Clear();
            _rowAt = ArrayPool<int>.Shared.Rent(_chunks * RowAtStride);
            if (_disjoint)
                _windowOf = ArrayPool<int>.Shared.Rent(Math.Max(1, 2 * input.ActiveCount));
            if (stride[0] == 1 && stride[1] == 1 && _taps > 1 && _taps <= 64)
                _pairTaps = PairTaps(_rows, _columns);
            _tapCounts = ArrayPool<int>.Shared.Rent(2 * _chunks * _taps);
            _counts = ArrayPool<int>.Shared.Rent(_chunks);
        }

        private readonly int BitsStride => _outSize[0] * _wordsPerRow + Gap;

        private readonly int RowAtStride => (int)_outSize.Volume + Gap;

        /// <summary>Chunks of samples worth handing to the pool: one when the build is small.</summary>
        private static int ChunkCount(int batch, long windows, int threads) =>
            windows < 1 << 15 ? 1 : Math.Clamp(2 * threads, 1, Math.Max(1, batch));

        private readonly int FirstSample(int chunk) => (int)((long)_input.BatchSize * chunk / _chunks);

        /// <summary>Where chunk <paramref name="chunk"/> writes its output sites: room for every window of its inputs.</summary>
        private readonly long RegionStart(int chunk) => _input.SampleOffsets[FirstSample(chunk)] * _perSite;

        /// <summary>The output grid: each chunk's samples (see <see cref="ChunkOutputs"/>), then their runs packed together.</summary>
        public SparseGrid ActiveOutputs()
        {
            long windows = _input.ActiveCount * _perSite;
            _linear = ArrayPool<long>.Shared.Rent((int)Math.Max(1, windows));
            _offsets = SparseGrid.RentOffsets(_input.BatchSize);
            RangeJob<OutputsOperation>.Run(new(this), _chunks, 1, windows * 8, _threads);
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
        /// Chunk <paramref name="chunk"/>'s samples: each one's output sites in increasing order (<see cref="SetBits"/> or <see cref="SetDisjointBits"/>,
        /// <see cref="ReadBits"/>) and the chunk's pairs per tap (<see cref="CountTaps"/>).
        /// </summary>
        private readonly void ChunkOutputs(int chunk)
        {
            Span<ulong> bits = _bits.AsSpan(chunk * BitsStride, BitsStride - Gap);
            int classPairs = _rows.Classes * _columns.Classes;
            Span<int> perClass = classPairs <= 256 ? stackalloc int[classPairs] : new int[classPairs];
            perClass.Clear();
            ReadOnlySpan<long> inLinear = _input.LinearIndexOfRow;
            ReadOnlySpan<int> inOffsets = _input.SampleOffsets;
            int start = (int)RegionStart(chunk), count = start;
            for (int b = FirstSample(chunk), bEnd = FirstSample(chunk + 1); b < bEnd; b++)
            {
                _offsets[b] = count;
                ReadOnlySpan<long> sites = inLinear[inOffsets[b]..inOffsets[b + 1]];
                BitBox box = _disjoint
                    ? SetDisjointBits(sites, bits, perClass, _windowOf.AsSpan(2 * inOffsets[b], 2 * sites.Length))
                    : SetBits(sites, bits, perClass);
                count = ReadBits(bits, box, _wordsPerRow, _outSize[1], _linear, count);
            }
            _counts[chunk] = count - start;
            CountTaps(perClass, _tapCounts.AsSpan(chunk * _taps, _taps));
        }

        /// <summary>Each tap's pairs: the inputs of every class pair whose tap sets hold both of its offsets.</summary>
        private readonly void CountTaps(ReadOnlySpan<int> perClass, Span<int> tapCount)
        {
            tapCount.Clear();
            ReadOnlySpan<ulong> rowTaps = _rows.TapSets, columnTaps = _columns.TapSets;
            int f1 = _columns.Filter;
            for (int c0 = 0, i = 0; c0 < rowTaps.Length; c0++)
                for (int c1 = 0; c1 < columnTaps.Length; c1++, i++)
                {
                    int n = perClass[i];
                    for (ulong t0s = n == 0 ? 0 : rowTaps[c0]; t0s != 0; t0s &= t0s - 1)
                        for (ulong t1s = columnTaps[c1]; t1s != 0; t1s &= t1s - 1)
                            tapCount[BitOperations.TrailingZeroCount(t0s) * f1 + BitOperations.TrailingZeroCount(t1s)] += n;
                }
        }

        /// <summary>Lays the pairs out tap by tap (the chunks' counts size each tap's run), sample by sample: see <see cref="ChunkPairs"/>.</summary>
        public readonly RuleBook Pairs(SparseGrid output)
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
            RangeJob<PairsOperation>.Run(new(this, output, ins, outs), _chunks, 1, pairs * 4L, _threads);
            // Each chunk must end exactly where the next one starts (the last one where its tap ends).
            int ends = _chunks * _taps;
            for (int c = 0; c < _chunks; c++)
                for (int t = 0; t < _taps; t++)
                {
                    int end = _tapCounts[ends + c * _taps + t], expected = c + 1 < _chunks ? _tapCounts[(c + 1) * _taps + t] : tapStart[t + 1];
                    if (end != expected)
                        throw new InvalidOperationException($"Tap {t}: sample chunk {c} ended at pair {end}, expected {expected}.");
                }
            // Every pass walks a tap's inputs in row order, sample after sample: its input rows increase.
            return RuleBook.FromPairs(_taps, _input.ActiveCount, output.ActiveCount, tapStart, ins, outs, pooled: true, inputsIncrease: true);
        }

        /// <summary>
        /// Chunk <paramref name="chunk"/>'s pairs: per sample, its output rows are written at their sites in the
        /// chunk's scratch (stale entries of other samples are never read, as every window of an active input is
        /// an active output), then its input rows are walked in order, each pair going to its tap's cursor.
        /// </summary>
        private readonly void ChunkPairs(int chunk, SparseGrid output, int[] ins, int[] outs)
        {
            Span<int> rowAt = _rowAt.AsSpan(chunk * RowAtStride, RowAtStride - Gap);
            Span<int> cursor = _taps <= 256 ? stackalloc int[_taps] : new int[_taps];
            _tapCounts.AsSpan(chunk * _taps, _taps).CopyTo(cursor);
            ReadOnlySpan<long> outLinear = output.LinearIndexOfRow;
            ReadOnlySpan<int> outOffsets = output.SampleOffsets, inOffsets = _input.SampleOffsets;
            int firstSample = FirstSample(chunk), endSample = FirstSample(chunk + 1), largest = 0;
            for (int b = firstSample; b < endSample; b++)
                largest = Math.Max(largest, inOffsets[b + 1] - inOffsets[b]);
            int[] siteOf = _pairTaps is null ? [] : ArrayPool<int>.Shared.Rent(largest);
            ulong[] tapsOf = _pairTaps is null ? [] : ArrayPool<ulong>.Shared.Rent(largest);
            for (int b = firstSample; b < endSample; b++)
            {
                for (int row = outOffsets[b], rowEnd = outOffsets[b + 1]; row < rowEnd; row++)
                    rowAt[(int)outLinear[row]] = row;
                if (_pairTaps is not null)
                    SampleUnitStridePairs(inOffsets[b], inOffsets[b + 1], rowAt, cursor, ins, outs, siteOf, tapsOf);
                else if (_disjoint)
                    SampleDisjointPairs(inOffsets[b], inOffsets[b + 1], rowAt, cursor, ins, outs);
                else
                    SamplePairs(inOffsets[b], inOffsets[b + 1], rowAt, cursor, ins, outs);
            }
            cursor.CopyTo(_tapCounts.AsSpan((_chunks + chunk) * _taps, _taps));
            if (_pairTaps is not null)
            {
                ArrayPool<int>.Shared.Return(siteOf);
                ArrayPool<ulong>.Shared.Return(tapsOf);
            }
        }

        public readonly void Return()
        {
            _rows.Return();
            _columns.Return();
            ArrayPool<ulong>.Shared.Return(_bits);
            ArrayPool<int>.Shared.Return(_rowAt);
            ArrayPool<int>.Shared.Return(_tapCounts);
            ArrayPool<int>.Shared.Return(_counts);
            if (_pairTaps is not null)
                ArrayPool<ulong>.Shared.Return(_pairTaps);
            if (_windowOf is not null)
                ArrayPool<int>.Shared.Return(_windowOf);
            if (_linear.Length > 0)
                ArrayPool<long>.Shared.Return(_linear);
        }

        private readonly struct OutputsOperation(Plan plan) : IRangeOperation
        {
            public void Invoke(int first, int end)
            {
                GeometryThreads.Observe();
                for (int c = first; c < end; c++)
                    plan.ChunkOutputs(c);
            }
        }

        private readonly struct PairsOperation(Plan plan, SparseGrid output, int[] ins, int[] outs) : IRangeOperation
        {
            public void Invoke(int first, int end)
            {
                GeometryThreads.Observe();
                for (int c = first; c < end; c++)
                    plan.ChunkPairs(c, output, ins, outs);
            }
        }
    }
}
