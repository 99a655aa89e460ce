namespace SpatiallySparse.Geometry;

/// <summary>
/// The active sites of every sample of a batch at one spatial size. Rows are grouped by sample
/// (rows of sample b are <c>[SampleOffsets[b], SampleOffsets[b+1])</c>) and, within a sample, ordered by
/// linear index, so every layer that derives a grid produces the same row order whatever the thread count.
/// </summary>
public sealed class SparseGrid
{
    private readonly long[] _linear;
    private readonly int[] _sampleOfRow;
    private readonly SiteHashMap _map;

    internal SparseGrid(SpatialSize size, int batchSize, long[] sortedLinear, int[] sampleOffsets)
    {
        Size = size;
        BatchSize = batchSize;
        _linear = sortedLinear;
        SampleOffsets = sampleOffsets;
        _sampleOfRow = new int[sortedLinear.Length];
        _map = new SiteHashMap(sortedLinear.Length);
        for (int b = 0; b < batchSize; b++)
            for (int r = sampleOffsets[b]; r < sampleOffsets[b + 1]; r++)
            {
                _sampleOfRow[r] = b;
                _map.GetOrAdd(Key(b, sortedLinear[r]), r);
            }
    }

    /// <summary>Spatial size of the grid.</summary>
    public SpatialSize Size { get; }

    /// <summary>Number of samples.</summary>
    public int BatchSize { get; }

    /// <summary>Number of active sites over the whole batch (rows of the feature matrix).</summary>
    public int ActiveCount => _linear.Length;

    /// <summary>Row ranges per sample; length <see cref="BatchSize"/> + 1.</summary>
    public int[] SampleOffsets { get; }

    /// <summary>Number of active sites of sample <paramref name="sample"/>.</summary>
    public int ActiveCountOf(int sample) => SampleOffsets[sample + 1] - SampleOffsets[sample];

    /// <summary>Sample index of each row.</summary>
    public ReadOnlySpan<int> SampleOfRow => _sampleOfRow;

    /// <summary>Linear index (within <see cref="Size"/>) of each row.</summary>
    public ReadOnlySpan<long> LinearIndexOfRow => _linear;

    /// <summary>Row of the site (<paramref name="sample"/>, <paramref name="linearIndex"/>), or -1 when inactive.</summary>
    public int RowOf(int sample, long linearIndex) => _map.Get(Key(sample, linearIndex));

    /// <summary>Row of the site at <paramref name="coordinate"/> in <paramref name="sample"/>, or -1.</summary>
    public int RowOf(int sample, ReadOnlySpan<int> coordinate) =>
        Size.Contains(coordinate) ? RowOf(sample, Size.LinearIndex(coordinate)) : -1;

    /// <summary>Coordinates of a row.</summary>
    public int[] CoordinateOf(int row)
    {
        int[] c = new int[Size.Dimension];
        Size.Coordinate(_linear[row], c);
        return c;
    }

    internal long Key(int sample, long linearIndex) => sample * Size.Volume + linearIndex;

    /// <summary>
    /// Builds a grid from per-sample lists of linear indices: sorts and removes duplicates.
    /// </summary>
    internal static SparseGrid FromUnsorted(SpatialSize size, int batchSize, long[] linear, int[] sampleOffsets)
    {
        int[] offsets = new int[batchSize + 1];
        int write = 0;
        for (int b = 0; b < batchSize; b++)
        {
            int start = sampleOffsets[b];
            int count = sampleOffsets[b + 1] - start;
            Array.Sort(linear, start, count);
            offsets[b] = write;
            for (int i = start; i < start + count; i++)
                if (i == start || linear[i] != linear[i - 1])
                    linear[write++] = linear[i];
        }
        offsets[batchSize] = write;
        Array.Resize(ref linear, write);
        return new SparseGrid(size, batchSize, linear, offsets);
    }
}
