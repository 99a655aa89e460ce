namespace SpatiallySparse.Layers;

/// <summary>
/// A batch of sparse samples on the host, as the user collects it: points (sample, coordinate, features).
/// <see cref="InputLayer"/> validates it and turns it into a <see cref="SparseTensor"/>.
/// </summary>
public sealed class SparseInput
{
    private readonly List<int> _samples = [];
    private readonly List<int> _coordinates = [];
    private readonly List<float> _features = [];

    /// <summary>Creates an empty batch of <paramref name="batchSize"/> samples.</summary>
    public SparseInput(int batchSize, int dimension, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        BatchSize = batchSize;
        Dimension = dimension;
        Channels = channels;
    }

    /// <summary>Number of samples.</summary>
    public int BatchSize { get; }

    /// <summary>Spatial dimensions of each coordinate.</summary>
    public int Dimension { get; }

    /// <summary>Features per point.</summary>
    public int Channels { get; }

    /// <summary>Number of points added.</summary>
    public int PointCount => _samples.Count;

    /// <summary>When true, backward fills <see cref="FeatureGradient"/> with the loss gradient per point.</summary>
    public bool RequiresGradient { get; set; }

    /// <summary>Gradient with respect to each point's features (PointCount x Channels), after backward.</summary>
    public float[]? FeatureGradient { get; internal set; }

    internal ReadOnlySpan<int> Samples => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_samples);

    internal ReadOnlySpan<int> Coordinates => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_coordinates);

    internal ReadOnlySpan<float> Features => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_features);

    /// <summary>Adds one point. Range checks against the grid happen in <see cref="InputLayer"/>.</summary>
    public void Add(int sample, ReadOnlySpan<int> coordinate, ReadOnlySpan<float> features)
    {
        if ((uint)sample >= (uint)BatchSize)
            throw new ArgumentOutOfRangeException(nameof(sample), $"Batch index {sample} is outside the batch of {BatchSize} samples.");
        if (coordinate.Length != Dimension)
            throw new ArgumentException($"Coordinate has {coordinate.Length} dimensions; this batch is {Dimension}-dimensional.", nameof(coordinate));
        if (features.Length != Channels)
            throw new ArgumentException($"Point has {features.Length} features; this batch has {Channels} channels.", nameof(features));
        _samples.Add(sample);
        foreach (int c in coordinate)
            _coordinates.Add(c);
        foreach (float f in features)
            _features.Add(f);
    }

    /// <summary>
    /// Removes every point (and the last feature gradient) but keeps the storage, so a training loop can refill
    /// one batch object every step without allocating.
    /// </summary>
    public void Clear()
    {
        _samples.Clear();
        _coordinates.Clear();
        _features.Clear();
        FeatureGradient = null;
    }

    /// <summary>Adds one point with a single feature.</summary>
    public void Add(int sample, ReadOnlySpan<int> coordinate, float feature) => Add(sample, coordinate, [feature]);

    /// <summary>
    /// Builds a batch from flat arrays: <paramref name="samples"/> (n), <paramref name="coordinates"/>
    /// (n x dimension) and <paramref name="features"/> (n x channels).
    /// </summary>
    public static SparseInput FromArrays(int batchSize, int dimension, int channels, int[] samples, int[] coordinates, float[] features)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(coordinates);
        ArgumentNullException.ThrowIfNull(features);
        SparseInput input = new(batchSize, dimension, channels);
        if (coordinates.Length != samples.Length * dimension || features.Length != samples.Length * channels)
            throw new ArgumentException($"{samples.Length} points need {samples.Length * dimension} coordinates and {samples.Length * channels} features, got {coordinates.Length} and {features.Length}.");
        for (int i = 0; i < samples.Length; i++)
            input.Add(samples[i], coordinates.AsSpan(i * dimension, dimension), features.AsSpan(i * channels, channels));
        return input;
    }
}
