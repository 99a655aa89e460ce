using SpatiallySparse.Layers;

namespace SpatiallySparse.Networks;

/// <summary>How a U-Net level joins its encoder features with the decoder's upsampled ones.</summary>
public enum UNetJoin
{
    /// <summary>Concatenate the channels (SparseConvNet's JoinTable); the level's next block reads twice the width.</summary>
    Concatenate,

    /// <summary>Add them (a residual skip); the width stays.</summary>
    Add,
}

/// <summary>Settings of a submanifold U-Net (SparseConvNet's <c>UNet</c>).</summary>
public sealed record UNetOptions
{
    /// <summary>Spatial dimensions.</summary>
    public int Dimension { get; init; } = 3;

    /// <summary>Features per input site.</summary>
    public int InputChannels { get; init; } = 1;

    /// <summary>Width per level, finest first; each level below the first halves the grid (filter 2, stride 2).</summary>
    public IReadOnlyList<int> Widths { get; init; } = [16, 32, 48, 64];

    /// <summary>Blocks per level on the way down and again on the way up.</summary>
    public int Repetitions { get; init; } = 1;

    /// <summary>How the skip joins.</summary>
    public UNetJoin Join { get; init; } = UNetJoin.Concatenate;

    /// <summary>ResNet blocks (<see cref="ResNetBlock"/>) instead of single batch norm + ReLU + convolution blocks.</summary>
    public bool ResidualBlocks { get; init; }

    /// <summary>Slope of the activations for negative inputs (SparseConvNet's <c>leakiness</c>); 0 is ReLU.</summary>
    public float Leakiness { get; init; }

    /// <summary>Classes of a final per-site <see cref="NetworkInNetwork"/>; 0 for none (the output is then Widths[0] wide).</summary>
    public int Classes { get; init; }

    /// <summary>Seed of the weights.</summary>
    public int Seed { get; init; }
}

/// <summary>
/// Builds a submanifold U-Net: a 3^d submanifold convolution to Widths[0], then per level blocks of batch norm +
/// ReLU + 3^d submanifold convolution; below each level but the last, batch norm + ReLU, a strided convolution
/// (filter 2, stride 2) to the next width, the next level, batch norm + ReLU and a deconvolution (2, 2) back onto
/// the encoder's sites, joined with the encoder's features (<see cref="UNetJoin"/>) and more blocks; finally batch
/// norm + ReLU and, with classes, a per-site linear layer. The grid side must be divisible by 2^(levels - 1).
/// </summary>
public static class UNet
{
    /// <summary>Creates the network.</summary>
    /// <exception cref="ArgumentException">No widths, or a width, the dimension, the repetitions or the classes out of range.</exception>
    public static Sequential<SparseTensor, SparseTensor> Create(UNetOptions options)
    {
        Check(options);
        Random seeds = new(options.Seed);
        int w0 = options.Widths[0];
        List<Module> modules =
        [
            new SubmanifoldConvolution(options.Dimension, options.InputChannels, w0, 3, bias: false, seed: seeds.Next()),
            Level(options, 0, seeds),
            new BatchNormalization(w0),
            new LeakyRelu(options.Leakiness),
        ];
        if (options.Classes > 0)
            modules.Add(new NetworkInNetwork(w0, options.Classes, seed: seeds.Next()));
        return new Sequential<SparseTensor, SparseTensor>(modules);
    }

    /// <summary>The grid side must be a multiple of this: 2^(levels - 1).</summary>
    public static int SideMultiple(UNetOptions options) => 1 << (options.Widths.Count - 1);

    private static Sequential Level(UNetOptions o, int level, Random seeds)
    {
        int w = o.Widths[level];
        Sequential m = new();
        for (int i = 0; i < o.Repetitions; i++)
            m.Add(Block(o, w, w, seeds));
        if (level + 1 == o.Widths.Count)
            return m;
        int next = o.Widths[level + 1];
        Sequential down = new(
            new BatchNormalization(w),
            new LeakyRelu(o.Leakiness),
            new Convolution(o.Dimension, w, next, filterSize: 2, stride: 2, bias: false, seed: seeds.Next()),
            Level(o, level + 1, seeds),
            new BatchNormalization(next),
            new LeakyRelu(o.Leakiness),
            new Deconvolution(o.Dimension, next, w, filterSize: 2, stride: 2, bias: false, seed: seeds.Next()));
        bool concatenate = o.Join == UNetJoin.Concatenate;
        m.Add(concatenate ? new ConcatenateBranches(new Identity(), down) : new Residual(down));
        for (int i = 0; i < o.Repetitions; i++)
            m.Add(Block(o, concatenate && i == 0 ? 2 * w : w, w, seeds));
        return m;
    }

    private static Module Block(UNetOptions o, int cin, int cout, Random seeds) => o.ResidualBlocks
        ? ResNetBlock.Create(o.Dimension, cin, cout, seeds.Next(), o.Leakiness)
        : new Sequential<SparseTensor, SparseTensor>(
            new BatchNormalization(cin),
            new LeakyRelu(o.Leakiness),
            new SubmanifoldConvolution(o.Dimension, cin, cout, 3, bias: false, seed: seeds.Next()));

    private static void Check(UNetOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.Widths is null || o.Widths.Count == 0)
            throw new ArgumentException("A U-Net needs at least one level width, got none.", nameof(o));
        for (int i = 0; i < o.Widths.Count; i++)
            if (o.Widths[i] < 1)
                throw new ArgumentOutOfRangeException(nameof(o), $"Width {o.Widths[i]} of level {i} must be at least 1.");
        if (o.Dimension is < 1 or > 8)
            throw new ArgumentOutOfRangeException(nameof(o), $"Dimension {o.Dimension} is outside [1, 8].");
        if (o.InputChannels < 1)
            throw new ArgumentOutOfRangeException(nameof(o), $"InputChannels {o.InputChannels} must be at least 1.");
        if (o.Repetitions < 1)
            throw new ArgumentOutOfRangeException(nameof(o), $"Repetitions {o.Repetitions} must be at least 1.");
        if (!float.IsFinite(o.Leakiness) || o.Leakiness < 0f)
            throw new ArgumentOutOfRangeException(nameof(o), $"Leakiness {o.Leakiness} must be finite and at least 0.");
        if (o.Classes < 0)
            throw new ArgumentOutOfRangeException(nameof(o), $"Classes {o.Classes} must be 0 (no classifier) or more.");
    }
}
