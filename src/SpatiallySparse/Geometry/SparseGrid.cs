using System.Buffers;

namespace SpatiallySparse.Geometry;

/// <summary>
/// The active sites of every sample of a batch at one spatial size. Rows are grouped by sample
/// (rows of sample b are <c>[SampleOffsets[b], SampleOffsets[b+1])</c>) and, within a sample, ordered by
/// linear index, so every layer that derives a grid produces the same row order whatever the thread count.
/// Grids built for a batch's <see cref="Metadata"/> keep their rows in pooled storage that the metadata
/// gives back when it is disposed (with the step's <see cref="Autograd.Tape"/>); the grid is unusable after that.
/// </summary>
public sealed class SparseGrid
{
    private int _count;
    private int[]? _offsets;
    private long[]? _linear;
    private int[]? _sampleOfRow;
    private SiteHashMap? _map;
    // Bit 0: Exposed; bit 1: the object sits in RecyclePool (Recycle refuses to return it twice). One int for both
    // keeps the grid object, which each step hands its caller, as small as before the pool check.
    private int _flags;

    /// <summary>
    /// A grid over the first <paramref name="count"/> entries of <paramref name="sortedLinear"/> with the first
    /// <paramref name="batchSize"/> + 1 entries of <paramref name="sampleOffsets"/> (<see cref="RentOffsets"/>):
    /// arrays rented from <see cref="ArrayPool{T}.Shared"/> that the grid now owns.
    /// </summary>
    internal static SparseGrid Create(SpatialSize size, int batchSize, long[] sortedLinear, int count, int[] sampleOffsets)
    {
        if (sampleOffsets.Length < batchSize + 1 || sampleOffsets[batchSize] != count)
            throw new ArgumentException($"Sample offsets must have {batchSize + 1} entries ending at {count}.");
        size.ThrowIfBatchTooLarge(batchSize);  // site keys, sample * volume + linear index, must not overflow
        // A recycled object (see Release) when one is free; private constructor, so every grid is made here.
        SparseGrid grid = RecyclePool<SparseGrid>.TryRent() ?? new SparseGrid(size);
        (grid.Size, grid.BatchSize, grid._count, grid._linear, grid._offsets) = (size, batchSize, count, sortedLinear, sampleOffsets);
        // Out of the pool only once its storage is set: a stale Recycle then sees either "in the pool" or "live", and throws.
        Volatile.Write(ref grid._flags, 0);  // not exposed, not pooled
        int[] sampleOfRow = grid._sampleOfRow = ArrayPool<int>.Shared.Rent(Math.Max(1, count));
        for (int b = 0; b < batchSize; b++)
            sampleOfRow.AsSpan(sampleOffsets[b], sampleOffsets[b + 1] - sampleOffsets[b]).Fill(b);
        return grid;
    }

    private SparseGrid(SpatialSize size)
    {
        Size = size;
    }

    /// <summary>
    /// True once a caller may hold this grid (a tensor it could see referred to it, or a public
    /// <see cref="Metadata"/> method handed it out): such a grid is never recycled.
    /// </summary>
    internal bool Exposed
    {
        get => (Volatile.Read(ref _flags) & 1) != 0;
        set
        {
            if (value)
                Interlocked.Or(ref _flags, 1);
            else
                Interlocked.And(ref _flags, ~1);
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> once, when this grid's storage is released (its metadata is disposed): a
    /// device backend frees its copy then, instead of waiting for the garbage collector to reclaim the host object.
    /// </summary>
    internal void OnRelease(Action action) => ReleaseHooks.Add(this, action);

    /// <summary>
    /// How many times this object has been recycled: a tensor notes it and throws <see cref="ObjectDisposedException"/>
    /// when its grid now serves another batch (<see cref="ThrowIfRecycled"/>).
    /// </summary>
    internal int Generation { get; private set; }

    /// <summary>Throws once the grid seen at <paramref name="generation"/> has been recycled.</summary>
    internal void ThrowIfRecycled(int generation)
    {
        if (generation != Generation)
            throw Released();
    }

    /// <summary>Spatial size of the grid.</summary>
    public SpatialSize Size { get; private set; }

    /// <summary>Number of samples.</summary>
    public int BatchSize { get; private set; }

    /// <summary>Number of active sites over the whole batch (rows of the feature matrix).</summary>
    public int ActiveCount => _count;

    /// <summary>Row ranges per sample; length <see cref="BatchSize"/> + 1.</summary>
    public ReadOnlySpan<int> SampleOffsets => (_offsets ?? throw Released()).AsSpan(0, BatchSize + 1);

    /// <summary>Pooled storage for the sample offsets of a grid of <paramref name="batchSize"/> samples (the grid takes it over).</summary>
    internal static int[] RentOffsets(int batchSize) => ArrayPool<int>.Shared.Rent(batchSize + 1);

    /// <summary>Number of active sites of sample <paramref name="sample"/>.</summary>
    public int ActiveCountOf(int sample) => SampleOffsets[sample + 1] - SampleOffsets[sample];

    /// <summary>Sample index of each row.</summary>
    public ReadOnlySpan<int> SampleOfRow => (_sampleOfRow ?? throw Released()).AsSpan(0, _count);

    /// <summary>Linear index (within <see cref="Size"/>) of each row.</summary>
    public ReadOnlySpan<long> LinearIndexOfRow => (_linear ?? throw Released()).AsSpan(0, _count);

    /// <summary>Row of the site (<paramref name="sample"/>, <paramref name="linearIndex"/>), or -1 when inactive.</summary>
    public int RowOf(int sample, long linearIndex) => Map.Get(Key(sample, linearIndex));

    /// <summary>Row of the site at <paramref name="coordinate"/> in <paramref name="sample"/>, or -1.</summary>
    public int RowOf(int sample, ReadOnlySpan<int> coordinate) =>
        Size.Contains(coordinate) ? RowOf(sample, Size.LinearIndex(coordinate)) : -1;

    /// <summary>Coordinates of a row.</summary>
    public int[] CoordinateOf(int row)
    {
        int[] c = new int[Size.Dimension];
        Size.Coordinate(LinearIndexOfRow[row], c);
        return c;
    }

    internal long Key(int sample, long linearIndex) => sample * Size.Volume + linearIndex;

    /// <summary>Row of a site <see cref="Key"/>, or -1.</summary>
    internal int RowOfKey(long key) => Map.Get(key);

    /// <summary>
    /// The hash map from site to row, built on first use: the rulebook builders address small grids directly
    /// (<see cref="ConvolutionRules"/>), so most grids of a 2D network never need one.
    /// </summary>
    private SiteHashMap Map
    {
        get
        {
            SiteHashMap? map = Volatile.Read(ref _map);
            return map ?? BuildMap();
        }
    }

    private SiteHashMap BuildMap()
    {
        ReadOnlySpan<long> linear = LinearIndexOfRow;
        ReadOnlySpan<int> sample = SampleOfRow;
        SiteHashMap map = new(_count);
        for (int r = 0; r < linear.Length; r++)
            map.GetOrAdd(Key(sample[r], linear[r]), r);
        SiteHashMap? raced = Interlocked.CompareExchange(ref _map, map, null);
        if (raced is null)
            return map;
        map.Release();
        return raced;
    }

    /// <summary>
    /// Gives pooled storage back; the grid throws <see cref="ObjectDisposedException"/> on use afterwards. With
    /// <paramref name="recycle"/> (a grid no caller or foreign backend can hold, and that nothing else will release),
    /// the object itself goes back to the pool for a later batch's grids; only the call that frees the storage does so.
    /// An owner that may reach the grid through several references (<see cref="Metadata"/>) must instead free every
    /// reference with <see cref="ReleaseStorage"/> and only then <see cref="Recycle"/> the grids that call freed:
    /// a grid recycled at its first reference may already serve another thread's batch at its second.
    /// </summary>
    internal void Release(bool recycle = false)
    {
        if (ReleaseStorage() && recycle)
            Recycle();
    }

    /// <summary>Gives the pooled storage back; true when this call freed it, false when it was already gone.</summary>
    internal bool ReleaseStorage()
    {
        // Device copies go with the host storage, once, whichever entry of the metadata releases it first.
        ReleaseHooks.Run(this);
        // The exchange makes "this call freed it" hold for exactly one caller, whatever the threads.
        long[]? linear = Interlocked.Exchange(ref _linear, null);
        if (linear is null)
            return false;
        int[]? sampleOfRow = _sampleOfRow, offsets = _offsets;
        _sampleOfRow = null;
        _offsets = null;
        Interlocked.Exchange(ref _map, null)?.Release();
        if (offsets is not null)
            ArrayPool<int>.Shared.Return(offsets);
        if (sampleOfRow is not null)
            ArrayPool<int>.Shared.Return(sampleOfRow);
        ArrayPool<long>.Shared.Return(linear);
        return true;
    }

    /// <summary>
    /// Returns the object, its storage already freed (<see cref="ReleaseStorage"/>), to the pool for a later batch's
    /// grids. Throws <see cref="InvalidOperationException"/> for a grid still live (storage not freed, or rented again)
    /// or already in the pool: either would hand one object to two batches.
    /// </summary>
    internal void Recycle()
    {
        if ((Interlocked.Or(ref _flags, 2) & 2) != 0)
            throw new InvalidOperationException($"The {Size} grid was returned to the recycle pool twice.");
        if (Volatile.Read(ref _linear) is not null)
        {
            Interlocked.And(ref _flags, ~2);
            throw new InvalidOperationException($"The {Size} grid is live (its storage was not freed, or another batch rented it): it cannot be recycled.");
        }
        Generation++;
        RecyclePool<SparseGrid>.Return(this);
    }

    /// <summary>
    /// Builds a pooled grid from per-sample runs of linear indices in the first <c>sampleOffsets[batchSize]</c>
    /// entries of <paramref name="linear"/> (rented; the grid takes it over): sorts each run and removes
    /// duplicates, in place, rewriting <paramref name="sampleOffsets"/> to the new runs.
    /// </summary>
    internal static SparseGrid FromUnsorted(SpatialSize size, int batchSize, long[] linear, int[] sampleOffsets)
    {
        int write = 0;
        for (int b = 0; b < batchSize; b++)
        {
            int start = sampleOffsets[b];
            int count = sampleOffsets[b + 1] - start;
            Array.Sort(linear, start, count);
            sampleOffsets[b] = write;
            for (int i = start; i < start + count; i++)
                if (i == start || linear[i] != linear[i - 1])
                    linear[write++] = linear[i];
        }
        sampleOffsets[batchSize] = write;
        return Create(size, batchSize, linear, write, sampleOffsets);
    }

    private ObjectDisposedException Released() => new(nameof(SparseGrid), $"The {Size} grid belongs to a batch whose metadata was disposed (its tape ended).");
}
