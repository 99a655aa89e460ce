namespace SpatiallySparse.Geometry;

/// <summary>
/// Rules of a deconvolution (the transpose of a strided convolution with filter f and stride s): input site
/// o feeds output sites o*s + t. Output size (M - 1) * s + f.
/// </summary>
internal static class DeconvolutionRules
{
    public static SpatialSize OutputSize(SpatialSize input, SpatialSize filter, SpatialSize stride)
    {
        int[] output = new int[input.Dimension];
        for (int d = 0; d < input.Dimension; d++)
            output[d] = checked((input[d] - 1) * stride[d] + filter[d]);
        return new SpatialSize(output);
    }

    public static (SparseGrid Output, RuleBook Rules) Build(SparseGrid input, SpatialSize filter, SpatialSize stride, SparseGrid? existingOutput)
    {
        SpatialSize outSize = OutputSize(input.Size, filter, stride);
        SparseGrid output = existingOutput ?? ReachedSites(input, outSize, filter, stride);
        int dim = input.Size.Dimension;
        int volume = (int)filter.Volume;
        long[] tapOffset = ConvolutionRules.TapOffsets(outSize, filter);
        PairCollector pairs = new(volume, input.ActiveCount);
        Span<int> o = stackalloc int[dim];
        ReadOnlySpan<long> inLinear = input.LinearIndexOfRow;
        ReadOnlySpan<int> inSample = input.SampleOfRow;
        for (int row = 0; row < input.ActiveCount; row++)
        {
            input.Size.Coordinate(inLinear[row], o);
            long corner = 0;
            for (int d = 0; d < dim; d++)
                corner = corner * outSize[d] + (long)o[d] * stride[d];
            for (int t = 0; t < volume; t++)
            {
                int outRow = output.RowOf(inSample[row], corner + tapOffset[t]);
                if (outRow >= 0)
                    pairs.Add(t, row, outRow);
            }
        }
        return (output, pairs.ToRuleBook(input.ActiveCount, output.ActiveCount));
    }

    private static SparseGrid ReachedSites(SparseGrid input, SpatialSize outSize, SpatialSize filter, SpatialSize stride)
    {
        int dim = input.Size.Dimension;
        List<long> linear = new(input.ActiveCount * (int)filter.Volume);
        int[] offsets = new int[input.BatchSize + 1];
        int[] o = new int[dim], lo = new int[dim], hi = new int[dim], cursor = new int[dim];
        ReadOnlySpan<long> inLinear = input.LinearIndexOfRow;
        for (int b = 0; b < input.BatchSize; b++)
        {
            offsets[b] = linear.Count;
            for (int row = input.SampleOffsets[b]; row < input.SampleOffsets[b + 1]; row++)
            {
                input.Size.Coordinate(inLinear[row], o);
                for (int d = 0; d < dim; d++)
                {
                    lo[d] = o[d] * stride[d];
                    hi[d] = lo[d] + filter[d] - 1;
                }
                ConvolutionRules.AddBox(outSize, lo, hi, cursor, linear);
            }
        }
        offsets[input.BatchSize] = linear.Count;
        return SparseGrid.FromUnsorted(outSize, input.BatchSize, [.. linear], offsets);
    }
}
