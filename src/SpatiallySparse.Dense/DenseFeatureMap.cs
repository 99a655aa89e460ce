using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Dense;

/// <summary>
/// A dense batch of feature maps, channels last (NHWC for 2D): row <c>b * volume + site</c> of
/// <see cref="Tensor.Features"/> holds the channels of site <c>site</c> (row-major linear index, as
/// <see cref="SpatialSize.LinearIndex"/>) of sample <c>b</c>. It is a sparse tensor in which every site is
/// active, so dense and sparse layers share the weight layout and the backend's row kernels.
/// </summary>
public sealed class DenseFeatureMap : Tensor
{
    /// <summary>
    /// Wraps <paramref name="features"/> ((BatchSize x volume) x Channels); the map owns it. <paramref name="requiresGradient"/>
    /// false (inputs) sets <see cref="Tensor.NeedsGradient"/> false, so layers skip the gradient with respect to this map.
    /// </summary>
    public DenseFeatureMap(FeatureMatrix features, int batchSize, SpatialSize spatialSize, bool requiresGradient = true)
        : base(features)
    {
        ArgumentNullException.ThrowIfNull(spatialSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (features.Rows != batchSize * spatialSize.Volume)
            throw new ArgumentException($"{features.Rows} rows do not hold {batchSize} samples of {spatialSize} ({spatialSize.Volume} sites each).");
        BatchSize = batchSize;
        SpatialSize = spatialSize;
        NeedsGradient = requiresGradient;
    }

    /// <summary>Number of samples.</summary>
    public int BatchSize { get; }

    /// <summary>Grid of every sample.</summary>
    public SpatialSize SpatialSize { get; }

    /// <summary>
    /// Writes the points of <paramref name="input"/> into a zero grid of <paramref name="spatialSize"/> on
    /// <paramref name="backend"/>: the dense twin of <see cref="InputLayer"/> with <see cref="DuplicateMode.Sum"/>
    /// (duplicate points are summed, where <see cref="InputLayer"/>'s default rejects them). The map is a constant:
    /// no gradient flows back to the points.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="input"/> asks for gradients (<see cref="SparseInput.RequiresGradient"/>), or its dimension differs from the grid's.</exception>
    /// <exception cref="NotSupportedException"><paramref name="backend"/> is not a <see cref="CpuBackend"/>: the dense layers run on the CPU only.</exception>
    public static DenseFeatureMap FromSparseInput(SparseInput input, SpatialSize spatialSize, ISparseBackend backend)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(spatialSize);
        ArgumentNullException.ThrowIfNull(backend);
        if (backend is not CpuBackend)
            throw new NotSupportedException($"The dense layers run on the CPU backend; got '{backend.Name}'.");
        if (input.RequiresGradient)
            throw new ArgumentException("The input asks for gradients of its points (RequiresGradient), which a dense map made by FromSparseInput does not give; give them through InputLayer, or build a DenseFeatureMap with requiresGradient: true and read its Grad.", nameof(input));
        if (input.Dimension != spatialSize.Dimension)
            throw new ArgumentException($"Input points are {input.Dimension}-dimensional, the grid {spatialSize} is {spatialSize.Dimension}-dimensional.");
        int c = input.Channels, dim = input.Dimension;
        float[] values = new float[checked(input.BatchSize * (int)spatialSize.Volume * c)];
        ReadOnlySpan<int> samples = input.Samples, coordinates = input.Coordinates;
        ReadOnlySpan<float> features = input.Features;
        for (int i = 0; i < input.PointCount; i++)
        {
            ReadOnlySpan<int> x = coordinates.Slice(i * dim, dim);
            if (!spatialSize.Contains(x))
                throw new ArgumentOutOfRangeException(nameof(input), $"Point {i} of sample {samples[i]} lies outside {spatialSize}.");
            long row = samples[i] * spatialSize.Volume + spatialSize.LinearIndex(x);
            for (int ch = 0; ch < c; ch++)
                values[row * c + ch] += features[i * c + ch];
        }
        FeatureMatrix m = backend.AllocateForOverwrite(input.BatchSize * (int)spatialSize.Volume, c);
        backend.Upload(values, m);
        return new DenseFeatureMap(m, input.BatchSize, spatialSize, requiresGradient: false);
    }

    /// <summary>The values on the host, (BatchSize x volume) x Channels row-major.</summary>
    public float[] ToArray() => Features.ToArray();

    /// <summary>Shape, e.g. <c>DenseFeatureMap(100 x 96x96 x 1)</c>.</summary>
    public override string ToString() => $"DenseFeatureMap({BatchSize} x {SpatialSize} x {Channels})";
}
