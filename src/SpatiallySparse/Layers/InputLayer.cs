using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Layers;

/// <summary>What <see cref="InputLayer"/> does with several points at the same site of a sample.</summary>
public enum DuplicateMode
{
    /// <summary>Throw, naming the site.</summary>
    Error,

    /// <summary>Add their features.</summary>
    Sum,

    /// <summary>Average their features.</summary>
    Mean,

    /// <summary>Keep the first point added.</summary>
    First,

    /// <summary>Keep the last point added.</summary>
    Last,
}

/// <summary>
/// Turns a host batch of points into a <see cref="SparseTensor"/> on a backend, with zero ground state: it
/// validates every point, merges duplicates as chosen and creates the batch's <see cref="Metadata"/>.
/// </summary>
public sealed class InputLayer
{
    /// <summary>Creates the layer for grids of <paramref name="spatialSize"/>.</summary>
    public InputLayer(SpatialSize spatialSize, DuplicateMode duplicates = DuplicateMode.Error)
    {
        SpatialSize = spatialSize ?? throw new ArgumentNullException(nameof(spatialSize));
        Duplicates = duplicates;
    }

    /// <summary>Grid size of every sample.</summary>
    public SpatialSize SpatialSize { get; }

    /// <summary>Duplicate policy.</summary>
    public DuplicateMode Duplicates { get; }

    /// <summary>Validates <paramref name="input"/> and uploads it to <paramref name="backend"/>.</summary>
    public SparseTensor Forward(SparseInput input, ISparseBackend backend, Tape tape)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(tape);
        long[] keys = Validate(input);
        int n = input.PointCount, c = input.Channels;
        int[] order = SortedOrder(keys);
        (SparseGrid grid, int[] rowOfPoint) = BuildGrid(input, keys, order);
        float[] weightOfPoint = new float[n];
        float[] features = Reduce(input, order, rowOfPoint, grid, weightOfPoint);
        FeatureMatrix f = backend.Allocate(grid.ActiveCount, c);
        backend.Upload(features, f);
        SparseTensor x = tape.Own(new SparseTensor(new Metadata(grid), grid, f, backend.Allocate(input.BatchSize, c), groundIsZero: true));
        if (input.RequiresGradient)
            tape.Record(() => input.FeatureGradient = PointGradient(x, rowOfPoint, weightOfPoint, c));
        return x;
    }

    private long[] Validate(SparseInput input)
    {
        if (input.Dimension != SpatialSize.Dimension)
            throw new ArgumentException($"Input points are {input.Dimension}-dimensional but the input layer's grid is {SpatialSize} ({SpatialSize.Dimension}-dimensional).");
        int n = input.PointCount, dim = input.Dimension, c = input.Channels;
        ReadOnlySpan<int> samples = input.Samples, coords = input.Coordinates;
        ReadOnlySpan<float> features = input.Features;
        long[] keys = new long[n];
        int[] perSample = new int[input.BatchSize];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<int> x = coords.Slice(i * dim, dim);
            if (!SpatialSize.Contains(x))
                throw new ArgumentOutOfRangeException(nameof(input), $"Point {i} of sample {samples[i]} has coordinate ({string.Join(", ", x.ToArray())}) outside the spatial size {SpatialSize}.");
            for (int ch = 0; ch < c; ch++)
                if (!float.IsFinite(features[i * c + ch]))
                    throw new ArgumentException($"Point {i} of sample {samples[i]} at ({string.Join(", ", x.ToArray())}) has a non-finite feature {features[i * c + ch]} in channel {ch}.", nameof(input));
            keys[i] = samples[i] * SpatialSize.Volume + SpatialSize.LinearIndex(x);
            perSample[samples[i]]++;
        }
        for (int b = 0; b < perSample.Length; b++)
            if (perSample[b] == 0)
                throw new ArgumentException($"Sample {b} of the batch of {input.BatchSize} has no active sites; every sample needs at least one.", nameof(input));
        return keys;
    }

    /// <summary>Point indices sorted by site, ties in insertion order (so First and Last mean what they say).</summary>
    private static int[] SortedOrder(long[] keys)
    {
        int[] order = new int[keys.Length];
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        Array.Sort(order, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));
        return order;
    }

    private (SparseGrid Grid, int[] RowOfPoint) BuildGrid(SparseInput input, long[] keys, int[] order)
    {
        int[] rowOfPoint = new int[keys.Length];
        List<long> linear = new(keys.Length);
        int[] offsets = new int[input.BatchSize + 1];
        int sample = 0;
        for (int k = 0; k < order.Length; k++)
        {
            int i = order[k];
            int s = input.Samples[i];
            while (sample < s)
                offsets[++sample] = linear.Count;
            bool duplicate = k > 0 && keys[order[k - 1]] == keys[i];
            if (duplicate && Duplicates == DuplicateMode.Error)
            {
                int[] coordinate = input.Coordinates.Slice(i * input.Dimension, input.Dimension).ToArray();
                throw new ArgumentException($"Points {order[k - 1]} and {i} of sample {s} share the site ({string.Join(", ", coordinate)}); choose a DuplicateMode other than Error to merge them.", nameof(input));
            }
            if (!duplicate)
                linear.Add(keys[i] - s * SpatialSize.Volume);
            rowOfPoint[i] = linear.Count - 1;
        }
        while (sample < input.BatchSize)
            offsets[++sample] = linear.Count;
        return (new SparseGrid(SpatialSize, input.BatchSize, [.. linear], offsets), rowOfPoint);
    }

    private float[] Reduce(SparseInput input, int[] order, int[] rowOfPoint, SparseGrid grid, float[] weightOfPoint)
    {
        int c = input.Channels;
        ReadOnlySpan<float> source = input.Features;
        float[] features = new float[grid.ActiveCount * c];
        int[] count = new int[grid.ActiveCount];
        foreach (int i in order)
            count[rowOfPoint[i]]++;
        int[] seen = new int[grid.ActiveCount];
        foreach (int i in order)
        {
            int row = rowOfPoint[i];
            int rank = seen[row]++;
            float w = Duplicates switch
            {
                DuplicateMode.Mean => 1f / count[row],
                DuplicateMode.First => rank == 0 ? 1f : 0f,
                DuplicateMode.Last => rank == count[row] - 1 ? 1f : 0f,
                _ => 1f,
            };
            weightOfPoint[i] = w;
            for (int ch = 0; ch < c; ch++)
                features[row * c + ch] += w * source[i * c + ch];
        }
        return features;
    }

    private static float[] PointGradient(SparseTensor x, int[] rowOfPoint, float[] weightOfPoint, int c)
    {
        float[] gradient = new float[rowOfPoint.Length * c];
        if (x.Grad is null)
            return gradient;
        float[] rows = x.Grad.ToArray();
        for (int i = 0; i < rowOfPoint.Length; i++)
            for (int ch = 0; ch < c; ch++)
                gradient[i * c + ch] = weightOfPoint[i] * rows[rowOfPoint[i] * c + ch];
        return gradient;
    }

    /// <summary>E.g. <c>InputLayer 96x96 (Error)</c>.</summary>
    public override string ToString() => $"InputLayer {SpatialSize} ({Duplicates})";
}
