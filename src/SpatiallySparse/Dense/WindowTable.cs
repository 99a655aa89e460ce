using System.Collections.Concurrent;

namespace SpatiallySparse.Dense;

/// <summary>
/// For a valid (unpadded) window of size f and stride s on a grid: the input site seen by each output site
/// through each filter offset, <c>Sites[o * Taps + t]</c>, taps in row-major filter order as the sparse
/// convolution's weights. Built once per geometry and shared by convolution and pooling.
/// </summary>
internal sealed class WindowTable
{
    private static readonly ConcurrentDictionary<(SpatialSize Input, SpatialSize Filter, SpatialSize Stride), WindowTable> Cache = new();

    private WindowTable(SpatialSize input, SpatialSize filter, SpatialSize stride)
    {
        int dim = input.Dimension;
        int[] extent = new int[dim];
        for (int d = 0; d < dim; d++)
        {
            if (input[d] < filter[d])
                throw new ArgumentException($"Filter {filter} does not fit in the grid {input}.");
            extent[d] = (input[d] - filter[d]) / stride[d] + 1;
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
                for (int d = 0; d < dim; d++)
                    ic[d] = oc[d] * stride[d] + tc[d];
                Sites[o * Taps + t] = (int)input.LinearIndex(ic);
            }
        }
    }

    /// <summary>Output grid.</summary>
    public SpatialSize Output { get; }

    /// <summary>Filter volume.</summary>
    public int Taps { get; }

    /// <summary>Input site per (output site, tap).</summary>
    public int[] Sites { get; }

    /// <summary>The table for this geometry, built on first request.</summary>
    public static WindowTable Get(SpatialSize input, SpatialSize filter, SpatialSize stride)
    {
        if (filter.Dimension != input.Dimension || stride.Dimension != input.Dimension)
            throw new ArgumentException($"Filter {filter} and stride {stride} do not match the {input.Dimension}-dimensional grid {input}.");
        return Cache.GetOrAdd((input, filter, stride), k => new WindowTable(k.Input, k.Filter, k.Stride));
    }
}
