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

    public static (SparseGrid Output, RuleBook Rules) Build(SparseGrid input, SpatialSize filter, SpatialSize stride)
    {
        SpatialSize outSize = OutputSize(input.Size, filter, stride);
        SparseGrid output = ActiveOutputs(input, outSize, filter, stride);
        int volume = (int)filter.Volume;
        long[] tapOffset = TapOffsets(input.Size, filter);
        PairCollector pairs = new(volume, output.ActiveCount);
        int dim = input.Size.Dimension;
        Span<int> o = stackalloc int[dim];
        ReadOnlySpan<long> outLinear = output.LinearIndexOfRow;
        ReadOnlySpan<int> outSample = output.SampleOfRow;
        for (int row = 0; row < output.ActiveCount; row++)
        {
            outSize.Coordinate(outLinear[row], o);
            long corner = 0;
            for (int d = 0; d < dim; d++)
                corner = corner * input.Size[d] + (long)o[d] * stride[d];
            for (int t = 0; t < volume; t++)
            {
                int inRow = input.RowOf(outSample[row], corner + tapOffset[t]);
                if (inRow >= 0)
                    pairs.Add(t, inRow, row);
            }
        }
        return (output, pairs.ToRuleBook(input.ActiveCount, output.ActiveCount));
    }

    /// <summary>Linear offset in <paramref name="grid"/> of each filter offset, taps in row-major filter order.</summary>
    public static long[] TapOffsets(SpatialSize grid, SpatialSize filter)
    {
        long[] offsets = new long[filter.Volume];
        int[] t = new int[filter.Dimension];
        for (int tap = 0; tap < offsets.Length; tap++)
        {
            filter.Coordinate(tap, t);
            offsets[tap] = grid.LinearIndex(t);
        }
        return offsets;
    }

    private static SparseGrid ActiveOutputs(SparseGrid input, SpatialSize outSize, SpatialSize filter, SpatialSize stride)
    {
        int dim = input.Size.Dimension;
        List<long> linear = new(input.ActiveCount * 2);
        int[] offsets = new int[input.BatchSize + 1];
        int[] x = new int[dim], lo = new int[dim], hi = new int[dim], o = new int[dim];
        ReadOnlySpan<long> inLinear = input.LinearIndexOfRow;
        for (int b = 0; b < input.BatchSize; b++)
        {
            offsets[b] = linear.Count;
            for (int row = input.SampleOffsets[b]; row < input.SampleOffsets[b + 1]; row++)
            {
                input.Size.Coordinate(inLinear[row], x);
                for (int d = 0; d < dim; d++)
                {
                    // o*s <= x <= o*s + f - 1  =>  ceil((x - f + 1) / s) <= o <= floor(x / s)
                    lo[d] = Math.Max(0, CeilDiv(x[d] - filter[d] + 1, stride[d]));
                    hi[d] = Math.Min(outSize[d] - 1, x[d] / stride[d]);
                }
                AddBox(outSize, lo, hi, o, linear);
            }
        }
        offsets[input.BatchSize] = linear.Count;
        return SparseGrid.FromUnsorted(outSize, input.BatchSize, [.. linear], offsets);
    }

    /// <summary>Appends the linear index of every site of the box [lo, hi] (inclusive).</summary>
    internal static void AddBox(SpatialSize size, int[] lo, int[] hi, int[] cursor, List<long> into)
    {
        for (int d = 0; d < lo.Length; d++)
            if (lo[d] > hi[d])
                return;
        lo.CopyTo(cursor, 0);
        while (true)
        {
            into.Add(size.LinearIndex(cursor));
            int d = lo.Length - 1;
            while (d >= 0 && cursor[d] == hi[d])
            {
                cursor[d] = lo[d];
                d--;
            }
            if (d < 0)
                return;
            cursor[d]++;
        }
    }

    private static int CeilDiv(int a, int b) => a >= 0 ? (a + b - 1) / b : -(-a / b);
}
