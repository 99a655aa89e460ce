using System.Buffers;

namespace SpatiallySparse.Geometry;

/// <summary>
/// Rules of a submanifold convolution (Graham and van der Maaten 2017): the output active set is the input
/// active set and each active site sees only its active neighbours within a centred, odd-sized filter.
/// </summary>
internal static class SubmanifoldRules
{
    public static RuleBook Build(SparseGrid grid, SpatialSize filter)
    {
        int dim = grid.Size.Dimension;
        for (int d = 0; d < dim; d++)
            if (filter[d] % 2 == 0)
                throw new ArgumentException($"A submanifold convolution needs an odd filter size to be centred, got {filter}.");
        int volume = (int)filter.Volume;
        int[] delta = new int[volume * dim];
        for (int t = 0; t < volume; t++)
        {
            Span<int> dt = delta.AsSpan(t * dim, dim);
            filter.Coordinate(t, dt);
            for (int d = 0; d < dim; d++)
                dt[d] -= filter[d] / 2;
        }
        int[] table = ArrayPool<int>.Shared.Rent(Math.Max(1, checked(grid.ActiveCount * volume)));
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
        return RuleBook.FromNeighbourTable(volume, grid.ActiveCount, grid.ActiveCount, table, pooled: true);
    }
}
