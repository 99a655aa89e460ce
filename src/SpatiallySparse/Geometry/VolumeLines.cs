using System.Buffers;

namespace SpatiallySparse.Geometry;

/// <summary>
/// A grid's rows cut into lines, runs with the same sample, x0 and x1: line k is rows [First[k], First[k + 1])
/// of plane X0[k], column X1[k], with key (sample * size0 + x0) * size1 + x1 (Key[Count] = long.MaxValue, a
/// sentinel for the cursors); sample b's lines are [SampleStart[b], SampleStart[b + 1]). Pooled storage.
/// </summary>
internal readonly struct VolumeLines
{
    public readonly long[] Key;
    public readonly int[] First, X0, X1, SampleStart;
    public readonly int Count;

    private VolumeLines(long[] key, int[] first, int[] x0, int[] x1, int[] sampleStart, int count) =>
        (Key, First, X0, X1, SampleStart, Count) = (key, first, x0, x1, sampleStart, count);

    public static VolumeLines Of(SparseGrid grid)
    {
        int n = grid.ActiveCount, size1 = grid.Size[1], size2 = grid.Size[2];
        long planes = grid.Size[0];
        long[] key = ArrayPool<long>.Shared.Rent(n + 1);
        int[] first = ArrayPool<int>.Shared.Rent(n + 1), x0 = ArrayPool<int>.Shared.Rent(Math.Max(1, n)), x1 = ArrayPool<int>.Shared.Rent(Math.Max(1, n));
        int[] sampleStart = ArrayPool<int>.Shared.Rent(grid.BatchSize + 1);
        ReadOnlySpan<long> linear = grid.LinearIndexOfRow;
        ReadOnlySpan<int> offsets = grid.SampleOffsets;
        FastDivisor by2 = new(size2), by1 = new(size1);
        int k = 0;
        for (int b = 0; b < grid.BatchSize; b++)
        {
            sampleStart[b] = k;
            for (int r = offsets[b], end = offsets[b + 1]; r < end; k++)
            {
                // One division per line, not per row: the rows of a line are those below the next line's start.
                long line = linear[r] <= uint.MaxValue ? by2.Divide((uint)linear[r]) : linear[r] / size2;
                int plane = line <= uint.MaxValue ? (int)by1.Divide((uint)line) : (int)(line / size1);
                (key[k], first[k], x0[k], x1[k]) = ((b * planes + plane) * size1 + (line - (long)plane * size1), r, plane, (int)(line - (long)plane * size1));
                long next = (line + 1) * size2;
                while (r < end && linear[r] < next)
                    r++;
            }
        }
        sampleStart[grid.BatchSize] = k;
        (key[k], first[k]) = (long.MaxValue, n);
        return new VolumeLines(key, first, x0, x1, sampleStart, k);
    }

    /// <summary>Gives the storage back (a default instance has none).</summary>
    public void Return()
    {
        if (Key is null)
            return;
        ArrayPool<long>.Shared.Return(Key);
        ArrayPool<int>.Shared.Return(First);
        ArrayPool<int>.Shared.Return(X0);
        ArrayPool<int>.Shared.Return(X1);
        ArrayPool<int>.Shared.Return(SampleStart);
    }
}
