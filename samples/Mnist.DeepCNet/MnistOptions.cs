using System.Globalization;
using SpatiallySparse.Networks;
using SpatiallySparse.Samples.Common;

namespace MnistDeepCNet;

/// <summary>The sample's settings, as parsed from the command line.</summary>
public sealed record MnistOptions : ISampleOptions
{
    /// <summary>Data folder (--data), or null to search.</summary>
    public string? Data { get; init; }

    /// <summary>The network: deepcnet (sparse, and its dense twin with --compare or --dense) or simple-cnn (a plain dense CNN on the 32 x 32 digit).</summary>
    public string Architecture { get; init; } = "deepcnet";

    /// <summary>True for the plain dense CNN (<c>--network simple-cnn</c>).</summary>
    public bool SimpleCnn => Architecture.Trim().ToLowerInvariant() switch
    {
        "deepcnet" => false,
        "simple-cnn" when Compare || DenseOnly => throw new ArgumentException("--network simple-cnn trains the plain dense CNN alone: add --compare false and leave out --dense."),
        "simple-cnn" => true,
        _ => throw new ArgumentException($"--network '{Architecture}': expected deepcnet or simple-cnn."),
    };

    /// <summary>DeepCNet l.</summary>
    public int L { get; init; } = 5;

    /// <summary>DeepCNet k.</summary>
    public int K { get; init; } = 10;

    /// <summary>Dropout: none, paper, ramp:P or a comma-separated list of l + 2 rates.</summary>
    public string Dropout { get; init; } = "none";

    /// <summary>Where dropout's 1 / (1 - rate) correction goes: test (the paper's) or train (inverted dropout).</summary>
    public string DropoutScaling { get; init; } = "test";

    /// <summary>Epochs.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Mini-batch size.</summary>
    public int Batch { get; init; } = 100;

    /// <summary>Initial learning rate (the paper's 0.01 suits its ~1000 epochs; 0.05 gets further in the short default run).</summary>
    public float LearningRate { get; init; } = 0.05f;

    /// <summary>Learning-rate decay d per batch: lr0 · exp(-d t).</summary>
    public double LearningRateDecay { get; init; } = 1e-5;

    /// <summary>Momentum.</summary>
    public float Momentum { get; init; } = 0.9f;

    /// <summary>
    /// Nesterov momentum instead of classical (SparseConvNet's later recipe trains with Nesterov momentum 0.99 and the
    /// learning rate scaled by 1 - momentum).
    /// </summary>
    public bool Nesterov { get; init; }

    /// <summary>Leaky ReLU slope (0: ReLU as in the paper).</summary>
    public float Slope { get; init; }

    /// <summary>Run seed.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Threads (0: one per core).</summary>
    public int Threads { get; init; }

    /// <summary>Backend name: cpu (gpu reserved).</summary>
    public string Backend { get; init; } = "cpu";

    /// <summary>Train the dense baseline only.</summary>
    public bool DenseOnly { get; init; }

    /// <summary>Train sparse and dense in the same run, with the same data order.</summary>
    public bool Compare { get; init; } = true;

    /// <summary>
    /// First N training images only; null: all. DeepCNet needs about 100 steps to leave its initial plateau;
    /// the default, 20000 (200 steps of 100), gets past it and keeps the default run (sparse and dense) to
    /// about two minutes on 2 cores.
    /// </summary>
    public int? TrainSubset { get; init; } = 20000;

    /// <summary>First N test images only (default 2000); null: all.</summary>
    public int? TestSubset { get; init; } = 2000;

    /// <summary>Active-pixel threshold on value / 255.</summary>
    public float Threshold { get; init; } = 0.02f;

    /// <summary>Checkpoint folder (a sub-folder per network), or null.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>Resume from the newest checkpoint.</summary>
    public bool Resume { get; init; }

    /// <summary>Resume even when the checkpoint was saved with other settings.</summary>
    public bool OverrideSettings { get; init; }

    /// <summary>Output folder for results.</summary>
    public string Out { get; init; } = "out/mnist";

    /// <summary>
    /// Checks every option (ranges, names, folders) before any data is loaded; throws an <see cref="ArgumentException"/>
    /// naming the first bad one, its value and the accepted range.
    /// </summary>
    public void Validate()
    {
        OptionChecks.Shared(this, Threads, Out);
        OptionChecks.Range("--l", L, 1, 8, " (input grid 3 * 2^l)");
        OptionChecks.Range("--k", K, 1, 1024);
        OptionChecks.Range("--lr", LearningRate, 1e-9, 100);
        OptionChecks.Range("--lr-decay", LearningRateDecay, 0, 100);
        OptionChecks.Range("--momentum", Momentum, 0, 0.999999);
        OptionChecks.Range("--slope", Slope, -1, 1);
        OptionChecks.Range("--threshold", Threshold, 0, 0.999999);
        OptionChecks.Subset("--train-subset", TrainSubset);
        OptionChecks.Subset("--test-subset", TestSubset);
        if (Backend.ToLowerInvariant() is not ("cpu" or "gpu"))
            throw new ArgumentException($"--backend '{Backend}': expected cpu or gpu.");
        // The dense baseline is a CPU implementation: on the GPU the sparse network runs alone.
        if (Backend.Equals("gpu", StringComparison.OrdinalIgnoreCase) && (DenseOnly || Compare))
            throw new ArgumentException("--backend gpu runs the sparse network only: add --compare false and leave out --dense (the dense baseline is CPU-only).");
        _ = SimpleCnn; // throws for an unknown --network, or simple-cnn with --compare or --dense
        DropoutRates();
        Scaling();
    }

    /// <summary>The dropout rates for <see cref="L"/>, or null for none.</summary>
    public IReadOnlyList<float>? DropoutRates()
    {
        string spec = Dropout.Trim().ToLowerInvariant();
        if (spec == "none")
            return null;
        if (spec == "paper")
            return [.. Enumerable.Range(0, L + 2).Select(i => i < 3 ? 0f : 0.5f)];
        if (spec.StartsWith("ramp:", StringComparison.Ordinal) && float.TryParse(spec[5..], NumberStyles.Float, CultureInfo.InvariantCulture, out float p) && p is >= 0f and < 1f)
            return SpatiallySparse.Networks.DeepCNet.RampDropout(L, p);
        string[] parts = spec.Split(',');
        float[] rates = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out rates[i]) || rates[i] is < 0f or >= 1f)
                throw new ArgumentException($"--dropout '{Dropout}': expected none, paper, ramp:P (0 <= P < 1) or {L + 2} comma-separated rates in [0, 1).");
        if (rates.Length != L + 2)
            throw new ArgumentException($"--dropout '{Dropout}': DeepCNet({L}, k) needs {L + 2} rates (inputs of layers 1..{L + 1} and the softmax layer), got {rates.Length}.");
        return rates;
    }

    /// <summary>The dropout scaling named by <see cref="DropoutScaling"/>.</summary>
    public SpatiallySparse.Layers.DropoutScaling Scaling() => DropoutScaling.Trim().ToLowerInvariant() switch
    {
        "test" => SpatiallySparse.Layers.DropoutScaling.ScaleAtTest,
        "train" => SpatiallySparse.Layers.DropoutScaling.ScaleInTraining,
        _ => throw new ArgumentException($"--dropout-scaling '{DropoutScaling}': expected test (outputs scaled by 1 - rate at test time, the paper's) or train (inverted dropout: kept units scaled by 1 / (1 - rate) in training)."),
    };

    /// <summary>The network settings.</summary>
    public DeepCNetOptions Network() =>
        new() { L = L, K = K, Classes = 10, Slope = Slope, DropoutRates = DropoutRates(), DropoutScaling = Scaling(), Seed = Seed };
}
