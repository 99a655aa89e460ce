using AssameseHandwriting;
using MnistDeepCNet;
using SpatiallySparse.Layers;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Fuzz;

/// <summary>
/// The fuzzed readers, each fed one input. A reader may refuse an input only with its documented format
/// exception; anything else (an index error, an out-of-memory from a trusted length, a hang) is a finding.
/// </summary>
public static class FuzzTargets
{
    /// <summary>The target names, as the command line and the corpus folders spell them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["idx", "assamese", "checkpoint"];

    /// <summary>Runs target <paramref name="name"/> on <paramref name="input"/>; <paramref name="scratch"/> is a folder it may write.</summary>
    public static void Run(string name, byte[] input, string scratch)
    {
        ArgumentNullException.ThrowIfNull(input);
        switch (name)
        {
            case "idx":
                // The same bytes as images and as labels: both parsers share the header and gzip code.
                Try(() => IdxReader.ParseImages("fuzz-images", input));
                Try(() => IdxReader.ParseLabels("fuzz-labels", input));
                break;
            case "assamese":
                AssameseReader.Parse("1.1.txt", input);
                break;
            case "checkpoint":
                string path = Path.Combine(scratch, "fuzz.safetensors");
                File.WriteAllBytes(path, input);
                using (Sequential module = CheckpointModule())
                    ModuleCheckpoint.Load(module, path);
                break;
            default:
                throw new ArgumentException($"Unknown fuzz target '{name}'; expected one of {string.Join(", ", Names)}.", nameof(name));
        }
    }

    /// <summary>True for the exceptions each reader documents for a bad file.</summary>
    public static bool IsDocumented(string name, Exception e) => name switch
    {
        "idx" => e is IdxFormatException,
        "assamese" => e is AssameseFormatException,
        "checkpoint" => e is SafeTensorsFormatException,
        _ => false,
    };

    /// <summary>The small network whose checkpoint the checkpoint seeds hold (a convolution and a batch norm: parameters and buffers).</summary>
    public static Sequential CheckpointModule() => new(new Convolution(2, 1, 2, 2, seed: 1), new BatchNormalization(2), new LeakyRelu());

    // Runs the second parser even when the first refused the input.
    private static void Try(Action parse)
    {
        try
        {
            parse();
        }
        catch (IdxFormatException)
        {
        }
    }
}
