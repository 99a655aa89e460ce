using System.Buffers;

namespace SpatiallySparse.Geometry;

/// <summary>
/// Rules of a submanifold convolution (Graham and van der Maaten 2017): the output active set is the input
/// active set and each active site sees only its active neighbours within a centred, odd-sized filter.
/// </summary>
internal static class SubmanifoldRules
{
    /// <summary>
    /// The output-major neighbour table (one lookup per site and tap), then the rulebook laid out from it. Small
    /// grids (<see cref="ConvolutionRules.UsesDirectAddressing"/>) look neighbours up in an array over a sample's
    /// sites, others in the grid's hash map; <paramref name="direct"/> forces one. 3D grids merge sorted sites
    /// instead (<see cref="VolumeRules"/>) unless <paramref name="merged"/> is false or a path is forced. All give the
    /// same rulebook.
    /// </summary>
    public static RuleBook Build(SparseGrid grid, SpatialSize filter, bool? direct = null, bool merged = true)
    {
        int dim = grid.Size.Dimension;
        for (int d = 0; d < dim; d++)
            if (filter[d] % 2 == 0)
                throw new ArgumentException($"A submanifold convolution needs an odd filter size to be centred, got {filter}.");
        if (merged && direct is null && VolumeRules.Handles(grid.Size))
            return VolumeRules.BuildSubmanifold(grid, filter);
        int volume = (int)filter.Volume;
        Span<int> delta = volume * dim <= 512 ? stackalloc int[volume * dim] : new int[volume * dim];
        for (int t = 0; t < volume; t++)
        {
            Span<int> dt = delta.Slice(t * dim, dim);
            filter.Coordinate(t, dt);
            for (int d = 0; d < dim; d++)
                dt[d] -= filter[d] / 2;
        }
        int[] table = ArrayPool<int>.Shared.Rent(Math.Max(1, checked(grid.ActiveCount * volume)));
        if (direct ?? ConvolutionRules.UsesDirectAddressing(grid))
            FillDirect(grid, delta, volume, table);
        else
            FillHashed(grid, delta, volume, table);
        return RuleBook.FromNeighbourTable(volume, grid.ActiveCount, grid.ActiveCount, table, pooled: true);
    }

    /// <summary>table[row * volume + t] = the row at site + delta[t] in the row's sample, or -1, through the hash map.</summary>
    private static void FillHashed(SparseGrid grid, ReadOnlySpan<int> delta, int volume, int[] table)
    {
        int dim = grid.Size.Dimension;
        Span<int> x = stackalloc int[dim];
        Span<int> y = stackalloc int[dim];
        ReadOnlySpan<long> linear = grid.LinearIndexOfRow;
        ReadOnlySpan<int> sample = grid.SampleOfRow;
        for (int row = 0, i = 0; row < grid.ActiveCount; row++)
        {
            grid.Size.Coordinate(linear[row], x);
            for (int t = 0; t < volume; t++, i++)
            {
                for (int d = 0; d < dim; d++)
                    y[d] = x[d] + delta[t * dim + d];
                table[i] = grid.RowOf(sample[row], y);
            }
        }
    }

    /// <summary>
    /// <see cref="FillHashed"/> through an array over one sample's sites: each sample's rows are written into it,
    /// read once per site and tap (neighbours outside the grid are skipped by coordinate), then wiped.
    /// </summary>
    private static void FillDirect(SparseGrid grid, ReadOnlySpan<int> delta, int volume, int[] table)
    {
        SpatialSize size = grid.Size;
        int dim = size.Dimension, sites = (int)size.Volume;
        Span<int> offset = volume <= 256 ? stackalloc int[volume] : new int[volume];
        for (int t = 0; t < volume; t++)
        {
            // Linear offset of delta[t]: row-major, like SpatialSize.LinearIndex but with signed steps.
            int o = 0;
            for (int d = 0; d < dim; d++)
                o = o * size[d] + delta[t * dim + d];
            offset[t] = o;
        }
        int[] rowAt = ArrayPool<int>.Shared.Rent(Math.Max(1, sites));
        Span<int> x = stackalloc int[dim];
        ReadOnlySpan<long> linear = grid.LinearIndexOfRow;
        try
        {
            rowAt.AsSpan(0, sites).Fill(-1);
            for (int b = 0; b < grid.BatchSize; b++)
            {
                int first = grid.SampleOffsets[b], end = grid.SampleOffsets[b + 1];
                for (int r = first; r < end; r++)
                    rowAt[(int)linear[r]] = r;
                for (int r = first; r < end; r++)
                {
                    int site = (int)linear[r];
                    size.Coordinate(site, x);
                    for (int t = 0, i = r * volume; t < volume; t++, i++)
                        table[i] = Inside(size, x, delta.Slice(t * dim, dim)) ? rowAt[site + offset[t]] : -1;
                }
                for (int r = first; r < end; r++)
                    rowAt[(int)linear[r]] = -1;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rowAt);
        }
    }

    /// <summary>True when <paramref name="x"/> + <paramref name="step"/> lies in the grid.</summary>
    private static bool Inside(SpatialSize size, ReadOnlySpan<int> x, ReadOnlySpan<int> step)
    {
        for (int d = 0; d < x.Length; d++)
            if ((uint)(x[d] + step[d]) >= (uint)size[d])
                return false;
        return true;
    }
}
