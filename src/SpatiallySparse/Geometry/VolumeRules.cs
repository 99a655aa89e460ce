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
        int[] yz = ArrayPool<int>.Shared.Rent(Math.Max(1, 2 * n));
        int[] tapStart = RuleBook.RentTapStart(volume, pooled: true);
        int[] ins = [], outs = [];
        try
        {
            Decode(grid, yz);
            Merge counting = new(grid, filter, yz, tapStart, ins, outs);
            int workers = GeometryThreads.For(threads);
            RangeJob<Merge>.Run(counting, half, 1, (long)n * half, workers);
            // Counts sit at tapStart[t + 1]; the mirror tap has as many pairs, the centre one per row.
            for (int t = 0; t < half; t++)
                tapStart[volume - t] = tapStart[t + 1];
            tapStart[half + 1] = n;
            for (int t = 0; t < volume; t++)
                tapStart[t + 1] += tapStart[t];
            int pairs = tapStart[volume];
            ins = ArrayPool<int>.Shared.Rent(Math.Max(1, pairs));
            outs = ArrayPool<int>.Shared.Rent(Math.Max(1, pairs));
            Merge writing = new(grid, filter, yz, tapStart, ins, outs);
            RangeJob<Merge>.Run(writing, half + 1, 1, (long)n * half, workers);
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
        }
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
    /// Taps [first, end) of the merge: without pair arrays, each tap's pair count goes to tapStart[t + 1]; with
    /// them, tap t's pairs are written at tapStart[t], the mirror tap's at tapStart[V - 1 - t], and item
    /// <c>half</c> writes the centre tap (every row onto itself).
    /// </summary>
    private readonly struct Merge(SparseGrid grid, SpatialSize filter, int[] yz, int[] tapStart, int[] ins, int[] outs) : IRangeOperation
    {
        public void Invoke(int first, int end)
        {
            GeometryThreads.Observe();
            int volume = (int)filter.Volume, half = volume / 2;
            Span<int> delta = stackalloc int[3];
            for (int t = first; t < end; t++)
            {
                if (t == half)
                {
                    for (int r = 0, p = tapStart[half]; r < grid.ActiveCount; r++, p++)
                        (ins[p], outs[p]) = (r, r);
                    continue;
                }
                filter.Coordinate(t, delta);
                for (int d = 0; d < 3; d++)
                    delta[d] -= filter[d] / 2;
                long offset = ((long)delta[0] * grid.Size[1] + delta[1]) * grid.Size[2] + delta[2];
                if (ins.Length == 0)
                    tapStart[t + 1] = Tap(offset, delta[1], delta[2], -1, -1);
                else
                    Tap(offset, delta[1], delta[2], tapStart[t], tapStart[volume - 1 - t]);
            }
        }

        /// <summary>
        /// Merges every sample's rows with themselves shifted by <paramref name="offset"/>: returns the pair count, and
        /// writes the pairs at <paramref name="at"/> and, swapped, at <paramref name="mirror"/> when both are set.
        /// </summary>
        private int Tap(long offset, int dy, int dz, int at, int mirror)
        {
            ReadOnlySpan<long> linear = grid.LinearIndexOfRow;
            ReadOnlySpan<int> offsets = grid.SampleOffsets;
            uint sizeY = (uint)grid.Size[1], sizeZ = (uint)grid.Size[2];
            int count = 0;
            for (int b = 0; b < grid.BatchSize; b++)
            {
                int j = offsets[b], end = offsets[b + 1];
                for (int i = j; i < end; i++)
                {
                    long target = linear[i] + offset;
                    while (j < end && linear[j] < target)
                        j++;
                    if (j == end)
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
            }
            return count;
        }
    }
}
