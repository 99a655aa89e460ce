using System.Collections.Concurrent;

namespace SpatiallySparse.Dense;

/// <summary>
/// For a window of size f and stride s on a grid, zero-padded by p sites on every side (p = 0: valid): the
/// input site seen by each output site through each filter offset, <c>Sites[o * Taps + t]</c>, or -1 where the
/// offset falls in the padding; taps in row-major filter order as the sparse convolution's weights. Built once
/// per geometry and shared by convolution and pooling.
/// </summary>
internal sealed class WindowTable
{
    private static readonly ConcurrentDictionary<(SpatialSize Input, SpatialSize Filter, SpatialSize Stride, int Padding), WindowTable> Cache = new();

    /// <summary>
    /// Bound on the sites all cached tables hold (64M, 256 MB): one 3^3 layer on a 128^3 grid alone holds 57M, so
    /// a program sweeping grid sizes would otherwise keep every table it ever built. Past it the cache starts over;
    /// a larger table is built per call. Settable only so that tests can reach the bound with small grids.
    /// </summary>
    internal static long MaxCachedSites = 1L << 26;

    private static readonly Lock CacheGate = new();
    private static long _cachedSites;

    private WindowTable(SpatialSize input, SpatialSize filter, SpatialSize stride, int padding)
    {
        int dim = input.Dimension;
        int[] extent = new int[dim];
        for (int d = 0; d < dim; d++)
        {
            if (input[d] + 2 * padding < filter[d])
                throw new ArgumentException($"Filter {filter} does not fit in the grid {input} padded by {padding}.");
            // As the sparse layers (ConvolutionRules.OutputSize): a window that does not tile the grid would drop its last rows silently.
            if ((input[d] + 2 * padding - filter[d]) % stride[d] != 0)
                throw new ArgumentException($"Filter {filter} with stride {stride} does not tile the grid {input} padded by {padding} in dimension {d}: ({input[d]} + 2 x {padding} - {filter[d]}) is not a multiple of {stride[d]}.");
            extent[d] = (input[d] + 2 * padding - filter[d]) / stride[d] + 1;
        }
        Output = new SpatialSize(extent);
        Taps = (int)filter.Volume;
        Sites = new int[checked((int)Output.Volume * Taps)];
        int[] oc = new int[dim], tc = new int[dim], ic = new int[dim];
        for (int o = 0; o < Output.Volume; o++)
        {
            Output.Coordinate(o, oc);
            for (int t = 0; t < Taps; t++)
            {
                filter.Coordinate(t, tc);
                bool inside = true;
                for (int d = 0; d < dim; d++)
                {
                    ic[d] = oc[d] * stride[d] + tc[d] - padding;
                    inside &= ic[d] >= 0 && ic[d] < input[d];
                }
                Sites[o * Taps + t] = inside ? (int)input.LinearIndex(ic) : -1;
            }
        }
    }

    /// <summary>Output grid.</summary>
    public SpatialSize Output { get; }

    /// <summary>Filter volume.</summary>
    public int Taps { get; }

    /// <summary>Input site per (output site, tap); -1 in the padding.</summary>
    public int[] Sites { get; }

    /// <summary>The table for this geometry, built on first request.</summary>
    public static WindowTable Get(SpatialSize input, SpatialSize filter, SpatialSize stride, int padding = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        if (filter.Dimension != input.Dimension || stride.Dimension != input.Dimension)
            throw new ArgumentException($"Filter {filter} and stride {stride} do not match the {input.Dimension}-dimensional grid {input}.");
        var key = (input, filter, stride, padding);
        if (Cache.TryGetValue(key, out WindowTable? cached))
            return cached;
        WindowTable table = new(input, filter, stride, padding);
        lock (CacheGate)
        {
            if (Cache.TryGetValue(key, out cached))
                return cached;
            if (table.Sites.Length <= MaxCachedSites)
            {
                if (_cachedSites + table.Sites.Length > MaxCachedSites)
                {
                    Cache.Clear();
                    _cachedSites = 0;
                }
                Cache[key] = table;
                _cachedSites += table.Sites.Length;
            }
        }
        return table;
    }

    /// <summary>Sites held by the cached tables (for tests of the bound).</summary>
    internal static long CachedSites
    {
        get
        {
            lock (CacheGate)
                return _cachedSites;
        }
    }
}
