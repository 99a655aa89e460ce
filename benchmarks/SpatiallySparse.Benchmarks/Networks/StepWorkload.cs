using SpatiallySparse.Layers;
using SpatiallySparse.Networks;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// A DeepCNet training-step workload: the network and where its batches come from. The step benchmark and the
/// <c>step</c> command take their workloads from <see cref="Get"/>; a new data set is one more entry there.
/// </summary>
/// <param name="Name">Short name used on the command line and in tables, e.g. <c>mnist</c>.</param>
/// <param name="Description">What the batches are, for reports.</param>
/// <param name="Network">The DeepCNet settings.</param>
/// <param name="BatchSize">Samples per step.</param>
/// <param name="MakeBatch">Batch number i (a deterministic function of i).</param>
public sealed record StepWorkload(string Name, string Description, DeepCNetOptions Network, int BatchSize, Func<int, (SparseInput Input, int[] Labels)> MakeBatch)
{
    /// <summary>Grid side of the network's input.</summary>
    public int GridSide => DeepCNet.InputSide(Network.L);

    /// <summary>Every known workload, by name (all on real data).</summary>
    public static IReadOnlyList<string> Names { get; } = ["mnist", "assamese"];

    /// <summary>The workload called <paramref name="name"/> (see <see cref="Names"/>).</summary>
    public static StepWorkload Get(string name) => name switch
    {
        "mnist" => Mnist(),
        "assamese" => Assamese(),
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

    /// <summary>DeepCNet(6, 32) on real Assamese characters (writers 1-36) rendered into 192 x 192, 183 classes, batch 100.</summary>
    public static StepWorkload Assamese()
    {
        string folder = AssameseCharacters.Locate();
        AssameseCharacters characters = AssameseCharacters.Load(folder, 192);
        DeepCNetOptions network = new() { L = 6, K = 32, Classes = 183, Seed = 1 };
        return new StepWorkload("assamese", $"DeepCNet(6, 32), Assamese characters of writers 1-36 from {folder}, longer side 64, ink feature, 192 x 192",
            network, 100, i => characters.Batch(i, 100));
    }
}
