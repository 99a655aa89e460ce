using SpatiallySparse.Layers;

namespace SpatiallySparse.Dense;

/// <summary>Settings of <see cref="DenseNetworks.SimpleCnn"/>.</summary>
public sealed record SimpleCnnOptions
{
    /// <summary>Spatial dimensions.</summary>
    public int Dimension { get; init; } = 2;

    /// <summary>Side of the input picture (32: an MNIST digit with room for +-2 pixel shifts); divisible by 2^levels.</summary>
    public int InputSide { get; init; } = 32;

    /// <summary>Features per input pixel.</summary>
    public int InputChannels { get; init; } = 1;

    /// <summary>Width of each level's convolution; one 2 x 2 max pooling follows each.</summary>
    public IReadOnlyList<int> Widths { get; init; } = [32, 64, 128];

    /// <summary>Classes of the linear head.</summary>
    public int Classes { get; init; } = 10;

    /// <summary>Slope of the activations for negative inputs; 0 is ReLU.</summary>
    public float Slope { get; init; }

    /// <summary>Seed of the weights.</summary>
    public int Seed { get; init; } = 1;
}

/// <summary>The plain CNN builder: see <see cref="DenseNetworks.SimpleCnn"/>.</summary>
public static partial class DenseNetworks
{
    /// <summary>
    /// A plain dense CNN, the kind sparse networks are compared with for accuracy: per level a 'same'-padded 3^d
    /// <see cref="DenseConvolution"/>, a <see cref="DenseLeakyRelu"/> and a 2 x 2 <see cref="DenseMaxPooling"/>; then
    /// <see cref="DenseFlatten"/> and a <see cref="Linear"/> head. Its input is a <see cref="DenseFeatureMap"/> of side
    /// <see cref="SimpleCnnOptions.InputSide"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No widths or more than 30, a width, the dimension, the channels or the classes below 1, or a side not divisible by 2^levels.</exception>
    public static Sequential<DenseFeatureMap, DenseTensor> SimpleCnn(SimpleCnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Dimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.InputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Classes);
        IReadOnlyList<int> widths = options.Widths ?? throw new ArgumentException("SimpleCnnOptions.Widths is null; give one width per level, e.g. [32, 64, 128].", nameof(options));
        // At most 30 levels: a side of at most 2^31 - 1 cannot be halved more often, and 2^levels must not overflow the shifts below.
        if (widths.Count is 0 or > 30 || widths.Any(w => w < 1))
            throw new ArgumentException($"SimpleCnnOptions.Widths must hold 1 to 30 widths, each >= 1; got {widths.Count}: [{string.Join(", ", widths)}].", nameof(options));
        int side = options.InputSide, pooled = side >> widths.Count;
        if (side < 1 || pooled < 1 || pooled << widths.Count != side)
            throw new ArgumentException($"SimpleCnnOptions.InputSide {side} must be a positive multiple of 2^{widths.Count} ({1 << widths.Count}): each of the {widths.Count} levels halves it.", nameof(options));
        Random seeds = new(options.Seed);
        List<Module> net = [];
        int channels = options.InputChannels;
        foreach (int width in widths)
        {
            net.Add(new DenseConvolution(options.Dimension, channels, width, 3, seed: seeds.Next(), padding: 1));
            net.Add(new DenseLeakyRelu(options.Slope));
            net.Add(new DenseMaxPooling(options.Dimension, 2, 2));
            channels = width;
        }
        net.Add(new DenseFlatten());
        long features = channels * (long)Math.Pow(pooled, options.Dimension);
        if (features > int.MaxValue)
            throw new ArgumentException($"The flattened output has {features} features per sample, more than a Linear layer holds.", nameof(options));
        net.Add(new Linear((int)features, options.Classes, seed: seeds.Next()));
        return new(net);
    }
}
