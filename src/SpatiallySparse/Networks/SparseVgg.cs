using SpatiallySparse.Layers;

namespace SpatiallySparse.Networks;

/// <summary>Settings of a sparse VGG-style network (the Assamese net of SparseConvNet's 2017 PyTorch port).</summary>
public sealed record SparseVggOptions
{
    /// <summary>Widths of the blocks; each block is two 3x3 convolutions with batch norm + ReLU, then 3x3/2 max pooling.</summary>
    public IReadOnlyList<int> Widths { get; init; } = [8, 16, 24, 32];

    /// <summary>Width of the final valid convolution.</summary>
    public int FinalWidth { get; init; } = 64;

    /// <summary>Filter size of the final valid convolution; it must equal the grid left after the last pooling.</summary>
    public int FinalFilter { get; init; } = 5;

    /// <summary>Features per input site.</summary>
    public int InputChannels { get; init; } = 1;

    /// <summary>Output classes.</summary>
    public int Classes { get; init; } = 183;

    /// <summary>Spatial dimensions.</summary>
    public int Dimension { get; init; } = 2;

    /// <summary>Seed of the weights.</summary>
    public int Seed { get; init; }
}

/// <summary>
/// Builds the sparse VGG-style net: per width w, two submanifold 3x3 convolutions to w (no bias: batch norm
/// follows) each with batch norm + ReLU, then 3x3 stride-2 max pooling over active sites; then a valid
/// convolution of <see cref="SparseVggOptions.FinalFilter"/> to <see cref="SparseVggOptions.FinalWidth"/> that
/// leaves one site, batch norm + ReLU, sparse-to-dense and a linear layer. Default: widths 8, 16, 24, 32 on 95x95.
/// </summary>
public static class SparseVgg
{
    /// <summary>Input grid side: the final filter size grown back through each 3x3/2 pooling (5 and 4 blocks: 95).</summary>
    public static int InputSide(SparseVggOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int side = options.FinalFilter;
        for (int i = 0; i < options.Widths.Count; i++)
            side = checked(2 * side + 1);
        return side;
    }

    /// <summary>Creates the sparse network; its input is a <see cref="SparseTensor"/> of side <see cref="InputSide"/>.</summary>
    public static Sequential<SparseTensor, DenseTensor> Create(SparseVggOptions options) => new(Build(options, SparseLayers));

    /// <summary>The modules of the network, made by <paramref name="make"/> (sparse here; the dense package passes its own).</summary>
    internal static List<Module> Build(SparseVggOptions options, LayerFactory make)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Widths.Count == 0 || options.Widths.Any(w => w <= 0))
            throw new ArgumentException($"The sparse VGG net needs at least one block and positive widths, got [{string.Join(", ", options.Widths)}].", nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.FinalWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.FinalFilter);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.InputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Classes);
        int dim = options.Dimension;
        // One generator hands out every layer's seed in a fixed order, so the sparse and dense builds match.
        Random seeds = new(options.Seed);
        List<Module> net = [];
        int channels = options.InputChannels;
        foreach (int width in options.Widths)
        {
            for (int i = 0; i < 2; i++)
            {
                int seed = seeds.Next();
                net.Add(make.SameConvolution(dim, channels, width, seed));
                net.Add(make.BatchNorm(width));
                net.Add(make.Activation());
                channels = width;
            }
            // SparseConvNet's VGG nets pool over active sites only: an empty part of a window does not count as zeros.
            net.Add(make.Pooling(dim));
        }
        int last = seeds.Next();
        net.Add(make.ValidConvolution(dim, channels, options.FinalWidth, options.FinalFilter, last));
        net.Add(make.BatchNorm(options.FinalWidth));
        net.Add(make.Activation());
        net.Add(make.Flatten());
        net.Add(new Linear(options.FinalWidth, options.Classes, seed: seeds.Next()));
        return net;
    }

    private static readonly LayerFactory SparseLayers = new(
        (dim, cin, cout, seed) => new SubmanifoldConvolution(dim, cin, cout, 3, bias: false, seed: seed),
        (dim, cin, cout, f, seed) => new Convolution(dim, cin, cout, f, bias: false, seed: seed),
        width => new BatchNormalization(width),
        () => new LeakyRelu(),
        dim => new MaxPooling(dim, 3, 2, includeGround: false),
        () => new SparseToDense());

    /// <summary>
    /// The layer constructors of one execution mode (sparse here, dense in SpatiallySparse.Dense): 3x3 convolutions
    /// that keep the grid (submanifold, or 'same'-padded dense), the final valid convolution, batch norm, ReLU,
    /// 3x3/2 pooling and the flatten before the classifier.
    /// </summary>
    internal sealed record LayerFactory(
        Func<int, int, int, int, Module> SameConvolution,
        Func<int, int, int, int, int, Module> ValidConvolution,
        Func<int, Module> BatchNorm,
        Func<Module> Activation,
        Func<int, Module> Pooling,
        Func<Module> Flatten);
}
