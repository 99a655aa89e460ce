using System.Buffers;

namespace SpatiallySparse.Geometry;

/// <summary>
/// Rules of valid and strided convolutions (and pooling): output site o covers input sites o*s + t for every
/// filter offset t; it is active when any of them is (Graham 2014), so active regions grow by f - 1 per layer.
/// </summary>
internal static class ConvolutionRules
{
    /// <summary>Output size (N - f) / s + 1; the window must fit the input exactly.</summary>
    public static SpatialSize OutputSize(SpatialSize input, SpatialSize filter, SpatialSize stride)
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
    /// The output grid, then the output-major neighbour table (one hash lookup per output site and tap), from
    /// which the rulebook is laid out without sorting. All storage is pooled.
    /// </summary>
    public static (SparseGrid Output, RuleBook Rules) Build(SparseGrid input, SpatialSize filter, SpatialSize stride)
    {
        SpatialSize outSize = OutputSize(input.Size, filter, stride);
        SparseGrid output = ActiveOutputs(input, outSize, filter, stride);
        int volume = (int)filter.Volume;
        int dim = input.Size.Dimension;
        Span<long> tapOffset = volume <= 256 ? stackalloc long[volume] : new long[volume];
        TapOffsets(input.Size, filter, tapOffset);
        int[] table = ArrayPool<int>.Shared.Rent(Math.Max(1, checked(output.ActiveCount * volume)));
        Span<int> o = stackalloc int[dim];
        ReadOnlySpan<long> outLinear = output.LinearIndexOfRow;
        ReadOnlySpan<int> outSample = output.SampleOfRow;
        long inVolume = input.Size.Volume;
        for (int row = 0, i = 0; row < output.ActiveCount; row++)
        {
            outSize.Coordinate(outLinear[row], o);
            long corner = outSample[row] * inVolume;
            long local = 0;
            for (int d = 0; d < dim; d++)
                local = local * input.Size[d] + (long)o[d] * stride[d];
            corner += local;
            for (int t = 0; t < volume; t++, i++)
                table[i] = input.RowOfKey(corner + tapOffset[t]);
        }
        return (output, RuleBook.FromNeighbourTable(volume, input.ActiveCount, output.ActiveCount, table, pooled: true));
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

    private static SparseGrid ActiveOutputs(SparseGrid input, SpatialSize outSize, SpatialSize filter, SpatialSize stride)
    {
        int dim = input.Size.Dimension;
        // Each input site lies in at most ceil(f/s) windows per dimension.
        long perSite = 1;
        for (int d = 0; d < dim; d++)
            perSite *= (filter[d] + stride[d] - 1) / stride[d];
        long[] linear = ArrayPool<long>.Shared.Rent(Math.Max(1, checked((int)(input.ActiveCount * perSite))));
        int[] offsets = new int[input.BatchSize + 1];
        Span<int> x = stackalloc int[dim], lo = stackalloc int[dim], hi = stackalloc int[dim], o = stackalloc int[dim];
        ReadOnlySpan<long> inLinear = input.LinearIndexOfRow;
        int count = 0;
        for (int b = 0; b < input.BatchSize; b++)
        {
            offsets[b] = count;
            for (int row = input.SampleOffsets[b]; row < input.SampleOffsets[b + 1]; row++)
            {
                input.Size.Coordinate(inLinear[row], x);
                for (int d = 0; d < dim; d++)
                {
                    // o*s <= x <= o*s + f - 1  =>  ceil((x - f + 1) / s) <= o <= floor(x / s)
                    lo[d] = Math.Max(0, CeilDiv(x[d] - filter[d] + 1, stride[d]));
                    hi[d] = Math.Min(outSize[d] - 1, x[d] / stride[d]);
                }
                count = AddBox(outSize, lo, hi, o, linear, count);
            }
        }
        offsets[input.BatchSize] = count;
        return SparseGrid.FromUnsorted(outSize, input.BatchSize, linear, offsets);
    }

    /// <summary>Writes the linear index of every site of the box [lo, hi] (inclusive) from <paramref name="count"/> on; returns the new count.</summary>
    internal static int AddBox(SpatialSize size, ReadOnlySpan<int> lo, ReadOnlySpan<int> hi, Span<int> cursor, long[] into, int count)
    {
        for (int d = 0; d < lo.Length; d++)
            if (lo[d] > hi[d])
                return count;
        lo.CopyTo(cursor);
        while (true)
        {
            into[count++] = size.LinearIndex(cursor);
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

    private static int CeilDiv(int a, int b) => a >= 0 ? (a + b - 1) / b : -(-a / b);
}
