using System.Buffers;

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

    /// <summary>
    /// The output grid (<paramref name="existingOutput"/>, else every site reached) and the rules. 3D windows merge
    /// sorted lines (<see cref="VolumeWindows"/>) unless <paramref name="merged"/> is false; others go through the
    /// output grid's hash map. Both give the same rulebook.
    /// </summary>
    public static (SparseGrid Output, RuleBook Rules) Build(SparseGrid input, SpatialSize filter, SpatialSize stride, SparseGrid? existingOutput,
        bool merged = true)
    {
        SpatialSize outSize = OutputSize(input.Size, filter, stride);
        if (merged && VolumeWindows.Handles(input.Size, filter))
        {
            SparseGrid reached = existingOutput ?? VolumeWindows.ReachedSites(input, outSize, filter, stride);
            return (reached, VolumeWindows.Deconvolution(input, reached, filter, stride));
        }
        SparseGrid output = existingOutput ?? ReachedSites(input, outSize, filter, stride);
        int dim = input.Size.Dimension;
        int volume = (int)filter.Volume;
        Span<long> tapOffset = volume <= 256 ? stackalloc long[volume] : new long[volume];
        ConvolutionRules.TapOffsets(outSize, filter, tapOffset);
        // Output-major table: output site o*s + t gets input o through tap t (one input per tap and output).
        int entries = checked(output.ActiveCount * volume);
        int[] table = ArrayPool<int>.Shared.Rent(Math.Max(1, entries));
        table.AsSpan(0, entries).Fill(-1);
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
                    table[outRow * volume + t] = row;
            }
        }
        return (output, RuleBook.FromNeighbourTable(volume, input.ActiveCount, output.ActiveCount, table, pooled: true));
    }

    private static SparseGrid ReachedSites(SparseGrid input, SpatialSize outSize, SpatialSize filter, SpatialSize stride)
    {
        int dim = input.Size.Dimension;
        long[] linear = ArrayPool<long>.Shared.Rent(Math.Max(1, checked((int)(input.ActiveCount * filter.Volume))));
        int[] offsets = SparseGrid.RentOffsets(input.BatchSize);
        Span<int> o = stackalloc int[dim], lo = stackalloc int[dim], hi = stackalloc int[dim], cursor = stackalloc int[dim];
        ReadOnlySpan<long> inLinear = input.LinearIndexOfRow;
        int count = 0;
        for (int b = 0; b < input.BatchSize; b++)
        {
            offsets[b] = count;
            for (int row = input.SampleOffsets[b], rowEnd = input.SampleOffsets[b + 1]; row < rowEnd; row++)
            {
                input.Size.Coordinate(inLinear[row], o);
                for (int d = 0; d < dim; d++)
                {
                    lo[d] = o[d] * stride[d];
                    hi[d] = lo[d] + filter[d] - 1;
                }
                count = ConvolutionRules.AddBox(outSize, lo, hi, cursor, linear, count);
            }
        }
        offsets[input.BatchSize] = count;
        return SparseGrid.FromUnsorted(outSize, input.BatchSize, linear, offsets);
    }
}
