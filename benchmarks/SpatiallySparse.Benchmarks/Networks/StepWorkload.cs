using SpatiallySparse.Layers;
using SpatiallySparse.Networks;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// A DeepCNet training-step workload: the network and where its batches come from. The step benchmark and the
/// <c>step</c> command take their workloads from <see cref="All"/>; a new data set (e.g. rendered Assamese
/// characters once the library draws them) is one more entry there.
/// </summary>
/// <param name="Name">Short name used on the command line and in tables, e.g. <c>mnist</c>.</param>
/// <param name="Description">What the batches are, for reports; says "synthetic" when they are.</param>
/// <param name="Network">The DeepCNet settings.</param>
/// <param name="BatchSize">Samples per step.</param>
/// <param name="MakeBatch">Batch number i (a deterministic function of i).</param>
public sealed record StepWorkload(string Name, string Description, DeepCNetOptions Network, int BatchSize, Func<int, (SparseInput Input, int[] Labels)> MakeBatch)
{
    /// <summary>Grid side of the network's input.</summary>
    public int GridSide => DeepCNet.InputSide(Network.L);

    /// <summary>Workloads on real data, by name: the ones the BenchmarkDotNet step benchmark runs.</summary>
    public static IReadOnlyList<string> RealDataNames { get; } = ["mnist"];

    /// <summary>Workloads on synthetic stand-ins for data the library cannot load yet, by name.</summary>
    public static IReadOnlyList<string> SyntheticNames { get; } = ["strokes192"];

    /// <summary>Every known workload, by name.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. RealDataNames, .. SyntheticNames];

    /// <summary>The workload called <paramref name="name"/> (see <see cref="Names"/>).</summary>
    public static StepWorkload Get(string name) => name switch
    {
        "mnist" => Mnist(),
        "strokes192" => Strokes192(),
        _ => throw new ArgumentException($"Unknown workload '{name}'; expected one of {string.Join(", ", Names)}."),
    };

    /// <summary>DeepCNet(5, 60) on real MNIST digits (threshold 0.02, centred in 96 x 96), batch 100.</summary>
    public static StepWorkload Mnist()
    {
        string folder = MnistDigits.Locate();
        MnistDigits digits = MnistDigits.Load(folder);
        DeepCNetOptions network = new() { L = 5, K = 60, Classes = 10, Seed = 1 };
        return new StepWorkload("mnist", $"DeepCNet(5, 60), MNIST training digits from {folder}, threshold {MnistDigits.Threshold}, 96 x 96",
            network, 100, i => digits.Batch(i, 100, 96));
    }

    /// <summary>DeepCNet(6, 32) on 192 x 192 SYNTHETIC strokes (<see cref="SyntheticStrokes"/>, box 80, 183 classes), batch 100.</summary>
    public static StepWorkload Strokes192()
    {
        DeepCNetOptions network = new() { L = 6, K = 32, Classes = 183, Seed = 1 };
        return new StepWorkload("strokes192", "DeepCNet(6, 32), SYNTHETIC random pen strokes (not handwriting) in an 80 x 80 box of 192 x 192",
            network, 100, i => SyntheticStrokes.Batch(i, 100, 192, 80, 183));
    }
}
