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

    private WindowTable(SpatialSize input, SpatialSize filter, SpatialSize stride, int padding)
    {
        int dim = input.Dimension;
        int[] extent = new int[dim];
        for (int d = 0; d < dim; d++)
        {
            if (input[d] + 2 * padding < filter[d])
                throw new ArgumentException($"Filter {filter} does not fit in the grid {input} padded by {padding}.");
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
        return Cache.GetOrAdd((input, filter, stride, padding), k => new WindowTable(k.Input, k.Filter, k.Stride, k.Padding));
    }
}
