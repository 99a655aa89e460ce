using System.Collections.Concurrent;
using System.Buffers;

namespace SpatiallySparse.Geometry;

/// <summary>
/// Rules of valid and strided convolutions (and pooling): output site o covers input sites o*s + t for every
/// filter offset t; it is active when any of them is (Graham 2014), so active regions grow by f - 1 per layer.
/// </summary>
internal static class ConvolutionRules
{
    /// <summary>Sizes already computed: every batch asks for the same few, and each new one is three allocations.</summary>
    private static readonly ConcurrentDictionary<(SpatialSize, SpatialSize, SpatialSize), SpatialSize> OutputSizes = new();

    /// <summary>Bound on <see cref="OutputSizes"/>, so that a program sweeping many sizes does not grow it without end.</summary>
    private const int MaxCachedOutputSizes = 1024;

    /// <summary>Output size (N - f) / s + 1; the window must fit the input exactly.</summary>
    public static SpatialSize OutputSize(SpatialSize input, SpatialSize filter, SpatialSize stride)
    {
        if (OutputSizes.TryGetValue((input, filter, stride), out SpatialSize? cached))
            return cached;
        SpatialSize output = ComputeOutputSize(input, filter, stride);
        if (OutputSizes.Count < MaxCachedOutputSizes)
            OutputSizes.TryAdd((input, filter, stride), output);
        return output;
    }

    private static SpatialSize ComputeOutputSize(SpatialSize input, SpatialSize filter, SpatialSize stride)
    {
        int[] output = new int[input.Dimension];
        for (int d = 0; d < input.Dimension; d++)
        {
            if (filter[d] > input[d])
                throw new ArgumentException($"Filter {filter} is larger than the input {input} in dimension {d}.");
            if ((input[d] - filter[d]) % stride[d] != 0)
                throw new ArgumentException($"Filter {filter} with stride {stride} does not tile input size {input} in dimension {d}: ({input[d]} - {filter[d]}) is not a multiple of {stride[d]}.");
            output[d] = (input[d] - filter[d]) / stride[d] + 1;
        }
        return new SpatialSize(output);
    }

    /// <summary>
    /// Grids of at most this many sites per sample, or of at most <see cref="DenseSitesPerActive"/> sites per
    /// active site of the batch, are addressed directly (one array over a sample's sites) instead of hashed.
    /// </summary>
    internal const int DenseMinimumVolume = 1 << 16;

    /// <summary>See <see cref="DenseMinimumVolume"/>: the direct tables are cleared once per build, so they pay while this sparse.</summary>
    internal const int DenseSitesPerActive = 8;

    /// <summary>Whether <see cref="Build"/> addresses <paramref name="input"/> directly rather than through its hash map.</summary>
    internal static bool UsesDirectAddressing(SparseGrid input) =>
        input.Size.Volume <= Math.Max(DenseMinimumVolume, Math.Min((long)DenseSitesPerActive * input.ActiveCount, 1 << 24));

    /// <summary>
    /// The output grid, then the output-major neighbour table (one lookup per output site and tap), from which
    /// the rulebook is laid out without sorting. All storage is pooled. <paramref name="direct"/> picks the
    /// lookup (null: <see cref="UsesDirectAddressing"/>); with <paramref name="planar"/>, directly addressed 2D
    /// grids take <see cref="PlanarRules"/> (axes up to 65,536 long, filters up to 64 wide). 3D grids merge sorted lines
    /// instead (<see cref="VolumeWindows"/>) unless <paramref name="merged"/> is false or a lookup is forced. Every path gives the same rulebook.
    /// </summary>
    public static (SparseGrid Output, RuleBook Rules) Build(SparseGrid input, SpatialSize filter, SpatialSize stride, bool? direct = null, bool planar = true,
        bool merged = true)
    {
        SpatialSize outSize = OutputSize(input.Size, filter, stride);
        if (merged && direct is null && VolumeWindows.Handles(input.Size, filter))
            return VolumeWindows.Convolution(input, outSize, filter, stride);
        bool useDirect = direct ?? UsesDirectAddressing(input);
        if (useDirect && planar && input.Size.Dimension == 2 && PlanarRules.Handles(input.Size, filter))
            return PlanarRules.Build(input, outSize, filter, stride);
        int volume = (int)filter.Volume;
        Span<long> tapOffset = volume <= 256 ? stackalloc long[volume] : new long[volume];
        TapOffsets(input.Size, filter, tapOffset);
        if (useDirect)
            return BuildDirect(input, outSize, filter, stride, tapOffset);
        SparseGrid output = ActiveOutputs(input, outSize, filter, stride, seen: default);
        int dim = input.Size.Dimension;
        int[] table = ArrayPool<int>.Shared.Rent(Math.Max(1, checked(output.ActiveCount * volume)));
        Span<int> o = stackalloc int[dim];
        ReadOnlySpan<long> outLinear = output.LinearIndexOfRow;
        ReadOnlySpan<int> outSample = output.SampleOfRow;
        for (int row = 0, i = 0; row < output.ActiveCount; row++)
        {
            long corner = input.Key(outSample[row], Corner(input.Size, outSize, stride, outLinear[row], o));
            for (int t = 0; t < volume; t++, i++)
                table[i] = input.RowOfKey(corner + tapOffset[t]);
        }
        return (output, RuleBook.FromNeighbourTable(volume, input.ActiveCount, output.ActiveCount, table, pooled: true));
    }

    /// <summary>
    /// <see cref="Build"/> with per-sample direct addressing: output sites are deduplicated by stamping an
    /// array over the output grid (so only distinct sites get sorted), and each sample's input rows are written
    /// into an array over the input grid, read once per tap, then wiped. No hash map is built.
    /// </summary>
    private static (SparseGrid Output, RuleBook Rules) BuildDirect(
        SparseGrid input, SpatialSize outSize, SpatialSize filter, SpatialSize stride, ReadOnlySpan<long> tapOffset)
    {
        int volume = tapOffset.Length;
        int inVolume = (int)input.Size.Volume;
        int[] seen = ArrayPool<int>.Shared.Rent((int)outSize.Volume);
        int[] rowAt = ArrayPool<int>.Shared.Rent(inVolume);
        try
        {
            Span<int> stamps = seen.AsSpan(0, (int)outSize.Volume);
            stamps.Fill(-1);
            SparseGrid output = ActiveOutputs(input, outSize, filter, stride, stamps);
            Span<int> direct = rowAt.AsSpan(0, inVolume);
            direct.Fill(-1);
            int[] table = ArrayPool<int>.Shared.Rent(Math.Max(1, checked(output.ActiveCount * volume)));
            Span<int> o = stackalloc int[input.Size.Dimension];
            ReadOnlySpan<long> inLinear = input.LinearIndexOfRow, outLinear = output.LinearIndexOfRow;
            int i = 0;
            for (int b = 0; b < input.BatchSize; b++)
            {
                for (int r = input.SampleOffsets[b], rEnd = input.SampleOffsets[b + 1]; r < rEnd; r++)
                    direct[(int)inLinear[r]] = r;
                for (int row = output.SampleOffsets[b], rowEnd = output.SampleOffsets[b + 1]; row < rowEnd; row++)
                {
                    // A valid window lies inside the grid: every corner + offset is a site of this sample.
                    int corner = (int)Corner(input.Size, outSize, stride, outLinear[row], o);
                    for (int t = 0; t < volume; t++, i++)
                        table[i] = direct[corner + (int)tapOffset[t]];
                }
                for (int r = input.SampleOffsets[b], rEnd = input.SampleOffsets[b + 1]; r < rEnd; r++)
                    direct[(int)inLinear[r]] = -1;
            }
            return (output, RuleBook.FromNeighbourTable(volume, input.ActiveCount, output.ActiveCount, table, pooled: true));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(seen);
            ArrayPool<int>.Shared.Return(rowAt);
        }
    }

    /// <summary>Linear index in the input grid of the window corner (tap 0) of output site <paramref name="outLinear"/>.</summary>
    private static long Corner(SpatialSize inSize, SpatialSize outSize, SpatialSize stride, long outLinear, Span<int> o)
    {
        outSize.Coordinate(outLinear, o);
        long corner = 0;
        for (int d = 0; d < o.Length; d++)
            corner = corner * inSize[d] + (long)o[d] * stride[d];
        return corner;
    }

    /// <summary>Linear offset in <paramref name="grid"/> of each filter offset, taps in row-major filter order.</summary>
    public static void TapOffsets(SpatialSize grid, SpatialSize filter, Span<long> offsets)
    {
        Span<int> t = stackalloc int[filter.Dimension];
        for (int tap = 0; tap < offsets.Length; tap++)
        {
            filter.Coordinate(tap, t);
            offsets[tap] = grid.LinearIndex(t);
        }
    }

    /// <summary>
    /// Every output site whose window holds an active input, per sample, in increasing linear order. With
    /// <paramref name="seen"/> (one entry per output site, all -1), duplicates are dropped as they are found, and
    /// a sample's distinct sites are then read off its bounding box in order when the box is not much larger
    /// than the set (digits, strokes, surfaces), else sorted. Without, every candidate is collected and sorted,
    /// and duplicates dropped after the sort.
    /// </summary>
    private static SparseGrid ActiveOutputs(SparseGrid input, SpatialSize outSize, SpatialSize filter, SpatialSize stride, Span<int> seen)
    {
        int dim = input.Size.Dimension;
        // Each input site lies in at most ceil(f/s) windows per dimension.
        long perSite = 1;
        for (int d = 0; d < dim; d++)
            perSite *= (filter[d] + stride[d] - 1) / stride[d];
        long bound = input.ActiveCount * perSite;
        if (!seen.IsEmpty)
            bound = Math.Min(bound, input.BatchSize * outSize.Volume);
        long[] linear = ArrayPool<long>.Shared.Rent(Math.Max(1, checked((int)bound)));
        int[] offsets = SparseGrid.RentOffsets(input.BatchSize);
        Span<int> x = stackalloc int[dim], lo = stackalloc int[dim], hi = stackalloc int[dim], o = stackalloc int[dim];
        Span<int> boxLo = stackalloc int[dim], boxHi = stackalloc int[dim];
        Span<FastDivisor> strideDivisor = stackalloc FastDivisor[dim];
        for (int d = 0; d < dim; d++)
            strideDivisor[d] = new FastDivisor(stride[d]);
        ReadOnlySpan<long> inLinear = input.LinearIndexOfRow;
        int count = 0;
        for (int b = 0; b < input.BatchSize; b++)
        {
            offsets[b] = count;
            boxLo.Fill(int.MaxValue);
            boxHi.Fill(-1);
            for (int row = input.SampleOffsets[b], rowEnd = input.SampleOffsets[b + 1]; row < rowEnd; row++)
            {
                input.Size.Coordinate(inLinear[row], x);
                bool empty = false;
                for (int d = 0; d < dim; d++)
                {
                    // o*s <= x <= o*s + f - 1  =>  ceil((x - f + 1) / s) = floor((x - f + s) / s) <= o <= floor(x / s)
                    int first = x[d] - filter[d] + stride[d];
                    lo[d] = first <= 0 ? 0 : (int)strideDivisor[d].Divide((uint)first);
                    hi[d] = Math.Min(outSize[d] - 1, (int)strideDivisor[d].Divide((uint)x[d]));
                    empty |= lo[d] > hi[d];
                    boxLo[d] = Math.Min(boxLo[d], lo[d]);
                    boxHi[d] = Math.Max(boxHi[d], hi[d]);
                }
                if (empty)
                    continue;
                count = dim == 2 && !seen.IsEmpty
                    ? AddRectangle(outSize[1], lo[0], hi[0], lo[1], hi[1], linear, count, seen, b)
                    : AddBox(outSize, lo, hi, o, linear, count, seen, b);
            }
            if (!seen.IsEmpty)
                OrderSample(outSize, linear, offsets[b], count, seen, b, boxLo, boxHi, o);
        }
        offsets[input.BatchSize] = count;
        return seen.IsEmpty
            ? SparseGrid.FromUnsorted(outSize, input.BatchSize, linear, offsets)
            : SparseGrid.Create(outSize, input.BatchSize, linear, count, offsets);
    }

    /// <summary>
    /// Puts the distinct sites linear[start..end) of sample <paramref name="stamp"/> in increasing order: by
    /// scanning their bounding box [boxLo, boxHi] row by row for sites stamped in <paramref name="seen"/> when
    /// the box is small enough, else by sorting.
    /// </summary>
    internal static void OrderSample(SpatialSize size, long[] linear, int start, int end, Span<int> seen, int stamp,
        ReadOnlySpan<int> boxLo, ReadOnlySpan<int> boxHi, Span<int> cursor)
    {
        int n = end - start;
        if (n <= 1)
            return;
        int dim = boxLo.Length, last = dim - 1;
        long boxVolume = 1;
        for (int d = 0; d < dim; d++)
            boxVolume *= boxHi[d] - boxLo[d] + 1;
        if (boxVolume > 16L * n)
        {
            Array.Sort(linear, start, n);
            return;
        }
        boxLo.CopyTo(cursor);
        int width = boxHi[last] - boxLo[last] + 1;
        int write = start;
        while (true)
        {
            int rowStart = (int)size.LinearIndex(cursor);
            for (int k = rowStart; k < rowStart + width; k++)
                if (seen[k] == stamp)
                    linear[write++] = k;
            int d = last - 1;
            while (d >= 0 && cursor[d] == boxHi[d])
            {
                cursor[d] = boxLo[d];
                d--;
            }
            if (d < 0)
                break;
            cursor[d]++;
        }
        if (write != end)
            throw new InvalidOperationException($"Bounding-box scan found {write - start} sites, expected {n}.");
    }

    /// <summary>The 2D case of <see cref="AddBox"/> with stamps: rows of the rectangle are runs of linear indices.</summary>
    private static int AddRectangle(int width, int lo0, int hi0, int lo1, int hi1, long[] into, int count, Span<int> seen, int stamp)
    {
        for (int o0 = lo0; o0 <= hi0; o0++)
        {
            int end = o0 * width + hi1;
            for (int site = o0 * width + lo1; site <= end; site++)
            {
                if (seen[site] != stamp)
                {
                    seen[site] = stamp;
                    into[count++] = site;
                }
            }
        }
        return count;
    }

    /// <summary>
    /// Writes the linear index of every site of the box [lo, hi] (inclusive) from <paramref name="count"/> on;
    /// returns the new count. With <paramref name="seen"/>, a site already stamped <paramref name="stamp"/> is
    /// skipped and new ones are stamped.
    /// </summary>
    internal static int AddBox(SpatialSize size, ReadOnlySpan<int> lo, ReadOnlySpan<int> hi, Span<int> cursor, long[] into, int count,
        Span<int> seen = default, int stamp = 0)
    {
        for (int d = 0; d < lo.Length; d++)
            if (lo[d] > hi[d])
                return count;
        lo.CopyTo(cursor);
        while (true)
        {
            long site = size.LinearIndex(cursor);
            if (seen.IsEmpty)
                into[count++] = site;
            else if (seen[(int)site] != stamp)
            {
                seen[(int)site] = stamp;
                into[count++] = site;
            }
            int d = lo.Length - 1;
            while (d >= 0 && cursor[d] == hi[d])
            {
                cursor[d] = lo[d];
                d--;
            }
            if (d < 0)
                return count;
            cursor[d]++;
        }
    }
}
