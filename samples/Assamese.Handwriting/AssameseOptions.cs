using System.Globalization;
using SpatiallySparse.Dense;
using SpatiallySparse.Handwriting;
using SpatiallySparse.Networks;
using SpatiallySparse.Samples.Common;

namespace AssameseHandwriting;

/// <summary>The sample's settings, as parsed from the command line.</summary>
public sealed record AssameseOptions : ISampleOptions
{
    /// <summary>Data folder (--data), or null to search.</summary>
    public string? Data { get; init; }

    /// <summary>
    /// Network: <c>vgg</c> (sparse VGG-style, 95 x 95), <c>deepcnet</c> (DeepCNet(6, k), 192 x 192) or <c>simple-cnn</c>
    /// (a plain dense CNN on a 64 x 64 picture of the character).
    /// </summary>
    public string Net { get; init; } = "vgg";

    /// <summary>DeepCNet k.</summary>
    public int K { get; init; } = 32;

    /// <summary>DeepCNet's and the simple CNN's leaky ReLU slope (0: ReLU as in the author's Assamese code; 1/3: his later "very leaky" ReLU).</summary>
    public float Slope { get; init; }

    /// <summary>Sparse VGG block widths (each block: two convolutions, then pooling), comma-separated.</summary>
    public string Widths { get; init; } = "8,16,24,32";

    /// <summary>Epochs.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Mini-batch size.</summary>
    public int Batch { get; init; } = 100;

    /// <summary>Initial learning rate (null: the network's default, VGG 0.1 as SparseConvNet's example, DeepCNet 0.01).</summary>
    public float? LearningRate { get; init; }

    /// <summary>Learning-rate decay d per epoch: lr0 · exp(-d · epoch) (SparseConvNet's VGG example: 0.05).</summary>
    public double LearningRateDecay { get; init; } = 0.05;

    /// <summary>Momentum (Nesterov).</summary>
    public float Momentum { get; init; } = 0.9f;

    /// <summary>Weight decay (SparseConvNet's VGG example: 1e-4).</summary>
    public float WeightDecay { get; init; } = 1e-4f;

    /// <summary>Run seed.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Threads (0: one per core).</summary>
    public int Threads { get; init; }

    /// <summary>Train the dense baseline only.</summary>
    public bool DenseOnly { get; init; }

    /// <summary>Train sparse and then dense in the same run, with the same data order.</summary>
    public bool Compare { get; init; }

    /// <summary>N training characters (a fixed random subset); null: all.</summary>
    public int? TrainSubset { get; init; }

    /// <summary>N test characters; null: all.</summary>
    public int? TestSubset { get; init; }

    /// <summary>Features per active site: 1 (ink), 3 (ink, direction), 9 (ink, 8 direction bins).</summary>
    public int Features { get; init; } = 3;

    /// <summary>Longer side of a normalised character, in cells; null: <see cref="CharacterScale"/>'s default.</summary>
    public float? Scale { get; init; }

    /// <summary>
    /// The character size used: <see cref="Scale"/>, else 64 cells (the paper's) for the sparse nets and
    /// <see cref="SimpleCnnScale"/> for the 64 x 64 picture of the simple CNN, which needs room for the shifts.
    /// </summary>
    public float CharacterScale => Scale ?? (Kind == AssameseNet.SimpleCnn ? SimpleCnnScale : 64f);

    /// <summary>The simple CNN's default character size: 40 cells, so that the +-7.5-cell shifts stay on its 64 x 64 picture.</summary>
    public const float SimpleCnnScale = 40f;

    /// <summary>Side of the simple CNN's picture (the issue's 64 x 64 rasterisation).</summary>
    public const int SimpleCnnSide = 64;

    /// <summary>Training-time distortions (Graham's); false: none.</summary>
    public bool Augment { get; init; } = true;

    /// <summary>Writers whose characters form the test set.</summary>
    public string TestWriters { get; init; } = "37-45";

    /// <summary>Checkpoint folder (a sub-folder per network), or null.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>Resume from the newest checkpoint.</summary>
    public bool Resume { get; init; }

    /// <summary>Resume even when the checkpoint was saved with other settings.</summary>
    public bool OverrideSettings { get; init; }

    /// <summary>Output folder for results.</summary>
    public string Out { get; init; } = "out/assamese";

    /// <summary>
    /// Instead of training, report what the untrained network does with the first training batch (the loss, how far
    /// its output is from uniform, each weight's gradient against its scale): the diagnosis of an initial plateau.
    /// </summary>
    public bool InitialGradients { get; init; }

    /// <summary>Number of rendered characters written as PNGs into <see cref="Out"/> (0: none).</summary>
    public int Render { get; init; }

    /// <summary>
    /// Checks every option (ranges, names, folders) before any data is loaded; throws an <see cref="ArgumentException"/>
    /// naming the first bad one, its value and the accepted range.
    /// </summary>
    public void Validate()
    {
        OptionChecks.Shared(this, Threads, Out);
        FeatureSet();
        AssameseData.ParseWriters(TestWriters);
        OptionChecks.Range("--k", K, 1, 1024);
        OptionChecks.Range("--slope", Slope, -1, 1);
        if (LearningRate is float lr)
            OptionChecks.Range("--lr", lr, 1e-9, 100);
        OptionChecks.Range("--lr-decay", LearningRateDecay, 0, 100);
        OptionChecks.Range("--momentum", Momentum, 0, 0.999999);
        OptionChecks.Range("--weight-decay", WeightDecay, 0, 1);
        OptionChecks.Subset("--train-subset", TrainSubset);
        OptionChecks.Subset("--test-subset", TestSubset);
        OptionChecks.Range("--render", Render, 0, 100_000);
        int side = GridSide; // parses --net and --widths
        OptionChecks.Range("--scale", CharacterScale, 1e-3, side,
            $" cells: a character {CharacterScale.ToString(CultureInfo.InvariantCulture)} cells across does not fit the {side}x{side} grid of {NetworkName}");
    }

    /// <summary>The feature set of <see cref="Features"/>.</summary>
    public StrokeFeatures FeatureSet() => Features switch
    {
        1 => StrokeFeatures.Ink,
        3 => StrokeFeatures.InkDirection,
        9 => StrokeFeatures.InkOctants,
        _ => throw new ArgumentException($"--features {Features}: expected 1 (ink), 3 (ink + direction) or 9 (ink + 8 direction bins)."),
    };

    /// <summary>The network <see cref="Net"/> names.</summary>
    /// <exception cref="ArgumentException">An unknown --net, or simple-cnn with --compare or --dense.</exception>
    public AssameseNet Kind => Net.Trim().ToLowerInvariant() switch
    {
        "vgg" => AssameseNet.Vgg,
        "deepcnet" => AssameseNet.DeepCNet,
        "simple-cnn" when Compare || DenseOnly => throw new ArgumentException("--net simple-cnn trains the plain dense CNN alone: leave out --compare and --dense."),
        "simple-cnn" => AssameseNet.SimpleCnn,
        _ => throw new ArgumentException($"--net '{Net}': expected vgg, deepcnet or simple-cnn."),
    };

    /// <summary>True for DeepCNet.</summary>
    public bool IsDeepCNet => Kind == AssameseNet.DeepCNet;

    /// <summary>The initial learning rate (defaults: VGG 0.1 as SparseConvNet's example; DeepCNet and the simple CNN, without batch norm, 0.01).</summary>
    public float InitialLearningRate => LearningRate ?? (Kind == AssameseNet.Vgg ? 0.1f : 0.01f);

    /// <summary>DeepCNet(6, k) settings.</summary>
    public DeepCNetOptions DeepCNetNetwork() => new() { L = 6, K = K, Slope = Slope, InputChannels = Features, Classes = AssameseReader.Classes, Seed = Seed };

    /// <summary>Sparse VGG settings.</summary>
    public SparseVggOptions VggNetwork()
    {
        string[] parts = Widths.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        int[] widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out widths[i]) || widths[i] <= 0)
                throw new ArgumentException($"--widths '{Widths}': expected comma-separated positive block widths, e.g. 8,16,24,32.");
        if (widths.Length == 0)
            throw new ArgumentException($"--widths '{Widths}': at least one block.");
        return new SparseVggOptions { Widths = widths, InputChannels = Features, Classes = AssameseReader.Classes, Seed = Seed };
    }

    /// <summary>The simple CNN's settings: SimpleCnn(32, 64, 128) on the 64 x 64 picture, with <see cref="Slope"/>.</summary>
    public SimpleCnnOptions SimpleCnnNetwork() =>
        new() { InputSide = SimpleCnnSide, InputChannels = Features, Widths = [32, 64, 128], Classes = AssameseReader.Classes, Slope = Slope, Seed = Seed };

    /// <summary>Input grid side of the chosen network.</summary>
    public int GridSide => Kind switch
    {
        AssameseNet.DeepCNet => DeepCNet.InputSide(6),
        AssameseNet.SimpleCnn => SimpleCnnSide,
        _ => SparseVgg.InputSide(VggNetwork()),
    };

    /// <summary>A short description of the network, e.g. <c>DeepCNet(6, 32)</c>.</summary>
    public string NetworkName => Kind switch
    {
        AssameseNet.DeepCNet => $"DeepCNet(6, {K})" + LeakyName,
        AssameseNet.SimpleCnn => $"SimpleCnn({string.Join(", ", SimpleCnnNetwork().Widths)})" + LeakyName,
        _ => $"sparse VGG ({Widths})",
    };

    private string LeakyName => Slope != 0 ? $", leaky ReLU {Slope.ToString("0.###", CultureInfo.InvariantCulture)}" : "";
}

/// <summary>The networks the sample trains.</summary>
public enum AssameseNet
{
    /// <summary>The sparse VGG-style net (submanifold convolutions with batch norm).</summary>
    Vgg,

    /// <summary>DeepCNet(6, k) on 192 x 192.</summary>
    DeepCNet,

    /// <summary>A plain dense CNN on a 64 x 64 picture.</summary>
    SimpleCnn,
}
