using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Autograd;

/// <summary>
/// A tiny random batch of points with fixed sites and replaceable features, so a gradient check can rebuild
/// the same batch with one feature perturbed. Sites are distinct within a sample unless duplicates are added.
/// </summary>
internal sealed class PointBatch
{
    private readonly List<int> _samples = [];
    private readonly List<int> _coordinates = [];
    private readonly List<float> _features = [];

    /// <summary>
    /// <paramref name="pointsPerSample"/> + b distinct random sites in sample b (unequal counts, so per-sample row
    /// ranges matter), features uniform in ±1, drawn from a fixed seed so every run gets the same batch.
    /// </summary>
    public PointBatch(SpatialSize size, int batchSize, int channels, int pointsPerSample, int seed,
        DuplicateMode duplicates = DuplicateMode.Error)
    {
        Size = size;
        BatchSize = batchSize;
        Channels = channels;
        Duplicates = duplicates;
        Random random = new(seed);
        int[] site = new int[size.Dimension];
        for (int b = 0; b < batchSize; b++)
        {
            long[] sites = DistinctSites(size.Volume, pointsPerSample + b, random);
            foreach (long linear in sites)
            {
                size.Coordinate(linear, site);
                AddPoint(b, site, random);
            }
        }
    }

    public SpatialSize Size { get; }

    public int BatchSize { get; }

    public int Channels { get; }

    public DuplicateMode Duplicates { get; }

    public int PointCount => _samples.Count;

    /// <summary>The current features, PointCount x Channels (a copy).</summary>
    public float[] Features => [.. _features];

    /// <summary>Adds a point with random features at a chosen site (e.g. a duplicate of an existing one).</summary>
    public void AddPoint(int sample, ReadOnlySpan<int> coordinate, Random random)
    {
        _samples.Add(sample);
        foreach (int c in coordinate)
            _coordinates.Add(c);
        for (int ch = 0; ch < Channels; ch++)
            _features.Add(random.NextSingle() * 2f - 1f);
    }

    /// <summary>A fresh host batch with these sites and <paramref name="features"/>.</summary>
    public SparseInput ToInput(float[] features) =>
        SparseInput.FromArrays(BatchSize, Size.Dimension, Channels, [.. _samples], [.. _coordinates], features);

    /// <summary>A one-sample batch holding sample <paramref name="sample"/>'s points alone, with their part of <paramref name="features"/>.</summary>
    public SparseInput SampleAlone(int sample, float[] features)
    {
        int[] points = [.. Enumerable.Range(0, PointCount).Where(i => _samples[i] == sample)];
        int d = Size.Dimension;
        return SparseInput.FromArrays(1, d, Channels, new int[points.Length],
            [.. points.SelectMany(i => _coordinates.GetRange(i * d, d))], [.. points.SelectMany(i => features.AsSpan(i * Channels, Channels).ToArray())]);
    }

    /// <summary>The input layer for this batch's grid and duplicate policy.</summary>
    public InputLayer InputLayer() => new(Size, Duplicates);

    private static long[] DistinctSites(long volume, int count, Random random)
    {
        if (count > volume)
            throw new ArgumentOutOfRangeException(nameof(count), $"{count} distinct sites do not fit in {volume}.");
        long[] all = new long[volume];
        for (long i = 0; i < volume; i++)
            all[i] = i;
        random.Shuffle(all);
        return all[..count];
    }
}
