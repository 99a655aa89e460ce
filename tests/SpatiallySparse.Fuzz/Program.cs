using System.Globalization;
using System.IO.Compression;
using System.Text;
using SpatiallySparse.Fuzz;
using SpatiallySparse.Layers;
using SpatiallySparse.Serialization;

// dotnet run -c Release --project tests/SpatiallySparse.Fuzz -- TARGET [SECONDS] [SEED]
//   TARGET: idx | assamese | checkpoint; reads corpus/TARGET, writes findings/TARGET (next to this project).
// dotnet run --project tests/SpatiallySparse.Fuzz -- seeds   (rewrites the seed corpus)
string root = FindProjectFolder();
if (args.Length == 0 || (args[0] != "seeds" && !FuzzTargets.Names.Contains(args[0])))
{
    Console.Error.WriteLine($"usage: TARGET [SECONDS] [SEED] | seeds   (TARGET: {string.Join(", ", FuzzTargets.Names)})");
    return 2;
}
if (args[0] == "seeds")
{
    WriteSeeds(Path.Combine(root, "corpus"));
    return 0;
}
string target = args[0];
double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 60;
int seed = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
string corpus = Path.Combine(root, "corpus", target), findings = Path.Combine(root, "findings", target);
byte[][] seeds = [.. Directory.GetFiles(corpus).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];
MutationRunner runner = new(target, seeds, findings, seed, Console.Out);
FuzzReport report = runner.Run(TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(10));
Console.WriteLine($"{target}: {report.Executions} executions in {report.Seconds:0} s ({report.Executions / Math.Max(1, report.Seconds):0}/s), {report.Findings} findings, seed {seed}");
return report.Findings == 0 ? 0 : 1;

static string FindProjectFolder()
{
    for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "SpatiallySparse.Fuzz.csproj")))
            return d.FullName;
    throw new DirectoryNotFoundException("SpatiallySparse.Fuzz.csproj not found above " + AppContext.BaseDirectory);
}

static void WriteSeeds(string corpus)
{
    string idx = Directory.CreateDirectory(Path.Combine(corpus, "idx")).FullName;
    byte[] images = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 3, 0, 255, 0, 255, 255, 255, 0, 255, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90];
    byte[] labels = [0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9];
    File.WriteAllBytes(Path.Combine(idx, "images-2x3x3.idx"), images);
    File.WriteAllBytes(Path.Combine(idx, "labels-3.idx"), labels);
    File.WriteAllBytes(Path.Combine(idx, "images-2x3x3.idx.gz"), Gzip(images));
    File.WriteAllBytes(Path.Combine(idx, "labels-3.idx.gz"), Gzip(labels));
    string assamese = Directory.CreateDirectory(Path.Combine(corpus, "assamese")).FullName;
    File.WriteAllText(Path.Combine(assamese, "two-strokes.txt"), "CHARACTER_NAME: A\r\nSTROKE_COUNT: 2\r\n  X           Y   STYLUS_STATE STROKE\r\nPEN_DOWN\r\n 100        200        1        1\r\n 150        200        1        1\r\nPEN_UP                  0\r\nPEN_DOWN\r\n 150        260        1        2\r\nPEN_UP                  0\r\nEND_CHARACTER: A\r\n", Encoding.ASCII);
    string checkpoint = Directory.CreateDirectory(Path.Combine(corpus, "checkpoint")).FullName;
    using Sequential module = FuzzTargets.CheckpointModule();
    ModuleCheckpoint.Save(module, Path.Combine(checkpoint, "conv-bn.safetensors"), new Dictionary<string, string> { ["epoch"] = "1" });
}

static byte[] Gzip(byte[] data)
{
    using MemoryStream output = new();
    using (GZipStream gzip = new(output, CompressionLevel.SmallestSize))
        gzip.Write(data);
    return output.ToArray();
}
