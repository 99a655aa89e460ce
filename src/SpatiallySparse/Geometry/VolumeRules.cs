using System.Buffers;
using SpatiallySparse.Backends.Cpu.Simd;

namespace SpatiallySparse.Geometry;

/// <summary>
/// Submanifold rules of 3D grids by merging sorted site lists, with no table over the grid and no hash map. A
/// sample's rows are sorted by linear index, and for a fixed tap the neighbour of each site is the site plus a
/// fixed linear offset, so one cursor walking the same rows finds every neighbour of the tap in a single pass;
/// the grid's size never matters (a side of a million costs what a side of 64 does). Each tap's pairs come out
/// with outputs and inputs increasing, and tap V-1-t is tap t with the roles swapped (opposite offsets), so
/// only the taps before the centre are merged.
/// </summary>
internal static class VolumeRules
{
    /// <summary>Whether <see cref="BuildSubmanifold"/> takes grids of <paramref name="size"/> (3D; other dimensions keep the any-dimension path).</summary>
    public static bool Handles(SpatialSize size) => size.Dimension == 3;

    /// <summary>
    /// The submanifold rulebook of <paramref name="grid"/> for the odd, centred <paramref name="filter"/>, the same
    /// pairs in the same order as <see cref="SubmanifoldRules"/>' other paths. Taps are spread over up to
    /// <paramref name="threads"/> workers (0: <see cref="GeometryThreads"/>); the result does not depend on them.
    /// </summary>
    public static RuleBook BuildSubmanifold(SparseGrid grid, SpatialSize filter, int threads = 0)
    {
        int volume = (int)filter.Volume, half = volume / 2, n = grid.ActiveCount;
        int blocks = BlockCount(grid);
        int[] yz = ArrayPool<int>.Shared.Rent(Math.Max(1, 2 * n));
        int[] block = ArrayPool<int>.Shared.Rent(2 * blocks + 1);
        int[] counts = ArrayPool<int>.Shared.Rent(Math.Max(1, blocks * half));
        int[] tapStart = RuleBook.RentTapStart(volume, pooled: true);
        int[] ins = [], outs = [];
        try
        {
            Decode(grid, yz);
            Cut(grid, block);
            int workers = GeometryThreads.For(threads);
            RangeJob<Merge>.Run(new(grid, filter, yz, block, counts, tapStart, ins, outs), blocks, 1, (long)n * half, workers);
            LayOut(counts, blocks, half, n, tapStart);
            int pairs = tapStart[volume];
            ins = ArrayPool<int>.Shared.Rent(Math.Max(1, pairs));
            outs = ArrayPool<int>.Shared.Rent(Math.Max(1, pairs));
            RangeJob<Merge>.Run(new(grid, filter, yz, block, counts, tapStart, ins, outs), blocks, 1, (long)n * half, workers);
            return RuleBook.FromPairs(volume, n, n, tapStart, ins, outs, pooled: true, inputsIncrease: true);
        }
        catch
        {
            ArrayPool<int>.Shared.Return(tapStart);
            if (ins.Length > 0)
                ArrayPool<int>.Shared.Return(ins);
            if (outs.Length > 0)
                ArrayPool<int>.Shared.Return(outs);
            throw;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(yz);
            ArrayPool<int>.Shared.Return(block);
            ArrayPool<int>.Shared.Return(counts);
        }
    }

    /// <summary>
    /// Rows per block: a block's taps are all merged before the next block, so its sites stay in cache across the
    /// taps (walking a whole large batch once per tap streamed it from memory 2 x 13 times).
    /// </summary>
    private const int BlockRows = 2048;

    private static int BlockCount(SparseGrid grid)
    {
        int blocks = 0;
        for (int b = 0; b < grid.BatchSize; b++)
            blocks += (grid.ActiveCountOf(b) + BlockRows - 1) / BlockRows;
        return blocks;
    }

    /// <summary>Block k is rows [block[2k], block[2k + 2]) of sample block[2k + 1]; block[2 * blocks] = the row count.</summary>
    private static void Cut(SparseGrid grid, int[] block)
    {
        int k = 0;
        for (int b = 0; b < grid.BatchSize; b++)
            for (int r = grid.SampleOffsets[b]; r < grid.SampleOffsets[b + 1]; r += BlockRows, k++)
                (block[2 * k], block[2 * k + 1]) = (r, b);
        block[2 * k] = grid.ActiveCount;
    }

    /// <summary>
    /// Turns the per-block counts of each merged tap into the block's offset within the tap, and
    /// <paramref name="tapStart"/> into the taps' starts: the mirror of tap t has its count, the centre one pair per row.
    /// </summary>
    private static void LayOut(int[] counts, int blocks, int half, int rows, int[] tapStart)
    {
        int volume = 2 * half + 1;
        for (int t = 0; t < half; t++)
        {
            int sum = 0;
            for (int k = 0; k < blocks; k++)
                (counts[k * half + t], sum) = (sum, sum + counts[k * half + t]);
            tapStart[t + 1] = tapStart[volume - t] = sum;
        }
        tapStart[half + 1] = rows;
        for (int t = 0; t < volume; t++)
            tapStart[t + 1] += tapStart[t];
    }

    /// <summary>Each row's second and third coordinates (y at 2r, z at 2r + 1): a merged match is a neighbour only when neither wrapped.</summary>
    private static void Decode(SparseGrid grid, int[] yz)
    {
        SpatialSize size = grid.Size;
        ReadOnlySpan<long> linear = grid.LinearIndexOfRow;
        Span<int> x = stackalloc int[3];
        for (int r = 0; r < linear.Length; r++)
        {
            size.Coordinate(linear[r], x);
            yz[2 * r] = x[1];
            yz[2 * r + 1] = x[2];
        }
    }

    /// <summary>
    /// Blocks [first, end) of the merge. Without pair arrays, each merged tap's pair count in block k goes to
    /// counts[k * half + t]; with them (after <see cref="LayOut"/>), tap t's pairs of block k are written at
    /// tapStart[t] + counts[k * half + t], the mirror tap's likewise, and the centre tap's one per row.
    /// </summary>
    private readonly struct Merge(SparseGrid grid, SpatialSize filter, int[] yz, int[] block, int[] counts, int[] tapStart, int[] ins, int[] outs)
        : IRangeOperation
    {
        public void Invoke(int first, int end)
        {
            GeometryThreads.Observe();
            int volume = (int)filter.Volume, half = volume / 2;
            Span<int> delta = stackalloc int[3];
            for (int k = first; k < end; k++)
            {
                int rowFirst = block[2 * k], rowEnd = block[2 * k + 2], sample = block[2 * k + 1];
                if (ins.Length > 0)
                    for (int r = rowFirst, p = tapStart[half] + rowFirst; r < rowEnd; r++, p++)
                        (ins[p], outs[p]) = (r, r);
                for (int t = 0; t < half; t++)
                {
                    filter.Coordinate(t, delta);
                    for (int d = 0; d < 3; d++)
                        delta[d] -= filter[d] / 2;
                    long offset = ((long)delta[0] * grid.Size[1] + delta[1]) * grid.Size[2] + delta[2];
                    int slot = k * half + t;
                    if (ins.Length == 0)
                        counts[slot] = Tap(rowFirst, rowEnd, sample, offset, delta[1], delta[2], -1, -1);
                    else
                        Tap(rowFirst, rowEnd, sample, offset, delta[1], delta[2], tapStart[t] + counts[slot], tapStart[volume - 1 - t] + counts[slot]);
                }
            }
        }

        /// <summary>
        /// Merges rows [first, end) with their sample's rows shifted by <paramref name="offset"/>: returns the pair
        /// count, and writes the pairs at <paramref name="at"/> and, swapped, at <paramref name="mirror"/> when set.
        /// </summary>
        private int Tap(int first, int end, int sample, long offset, int dy, int dz, int at, int mirror)
        {
            ReadOnlySpan<long> linear = grid.LinearIndexOfRow;
            int sampleFirst = grid.SampleOffsets[sample], sampleEnd = grid.SampleOffsets[sample + 1];
            uint sizeY = (uint)grid.Size[1], sizeZ = (uint)grid.Size[2];
            int j = sampleFirst + SortedSearch.LowerBound(linear[sampleFirst..sampleEnd], linear[first] + offset), count = 0;
            for (int i = first; i < end; i++)
            {
                long target = linear[i] + offset;
                while (j < sampleEnd && linear[j] < target)
                    j++;
                if (j == sampleEnd)
                    break;
                // A match whose y or z left the grid is a site of another column (the offset wrapped): not a neighbour.
                if (linear[j] != target || (uint)(yz[2 * i] + dy) >= sizeY || (uint)(yz[2 * i + 1] + dz) >= sizeZ)
                    continue;
                if (at >= 0)
                {
                    (ins[at + count], outs[at + count]) = (j, i);
                    (ins[mirror + count], outs[mirror + count]) = (i, j);
                }
                count++;
            }
            return count;
        }
    }
}
