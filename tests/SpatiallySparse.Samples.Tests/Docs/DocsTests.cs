using System.Diagnostics;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace SpatiallySparse.Samples.Tests.Docs;

/// <summary>
/// The documentation stays true to the code: every C# block of README.md and docs/ appears verbatim in a source
/// file that builds in CI (samples/ or tests/), every relative link points at a file or folder that exists, and
/// the programs the guides are taken from (samples/Demo, samples/Demo3D) run and learn.
/// </summary>
[TestFixture]
public sealed partial class DocsTests
{
    private static readonly string Root = RepositoryFiles.Root;

    private static IEnumerable<string> MarkdownFiles() =>
        new[] { Path.Combine(Root, "README.md") }.Concat(Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.md", SearchOption.AllDirectories));

    [Test]
    public void EveryCSharpBlockIsCodeThatBuilds()
    {
        string[] sources = [.. new[] { "samples", "tests" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => RepositoryFiles.NormaliseCode(File.ReadAllText(f)))];
        List<string> missing = [];
        int blocks = 0;
        foreach (string file in MarkdownFiles())
            foreach (Match block in CSharpBlock().Matches(File.ReadAllText(file)))
            {
                blocks++;
                string code = RepositoryFiles.NormaliseCode(block.Groups[1].Value);
                if (!sources.Any(s => s.Contains(code, StringComparison.Ordinal)))
                    missing.Add($"{Path.GetRelativePath(Root, file)}: block starting '{code.Split('\n')[0]}'");
            }
        Assert.That(blocks, Is.GreaterThan(5), "the README and getting-started hold C# blocks");
        Assert.That(missing, Is.Empty, "C# blocks that no compiled file contains");
    }

    [Test]
    public void EveryRelativeLinkResolves()
    {
        List<string> broken = [];
        foreach (string file in MarkdownFiles())
            foreach (Match link in MarkdownLink().Matches(File.ReadAllText(file)))
            {
                string target = link.Groups[1].Value.Split('#')[0];
                if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                    continue;
                string path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, Uri.UnescapeDataString(target)));
                if (!File.Exists(path) && !Directory.Exists(path))
                    broken.Add($"{Path.GetRelativePath(Root, file)}: {link.Groups[1].Value}");
            }
        Assert.That(broken, Is.Empty);
    }

    [Test]
    public void TheGuidesProgramTrainsSavesRestoresAndClassifies()
    {
        string demo = RepositoryFiles.Built("samples/Demo", "Demo.dll");
        Assert.That(File.Exists(demo), Is.True, $"{demo} is built with the solution");
        using TempFolder temp = new();
        ProcessStartInfo start = new("dotnet", $"\"{demo}\" 60 \"{Path.Combine(temp.Path, "checkpoints")}\"") { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(2)), Is.True, "the demo finishes");
        Assert.That(process.ExitCode, Is.Zero, output + error.Result);
        Assert.That(output, Does.Contain("saved and restored epoch-0000000000-step-0000000060").And.Contain("accuracy on 200 fresh strokes"));
    }

    [Test]
    public void TheThreeDTutorialsProgramLearnsToLabelVoxelsAndRestoresItsCheckpoint()
    {
        string demo = RepositoryFiles.Built("samples/Demo3D", "Demo3D.dll");
        Assert.That(File.Exists(demo), Is.True, $"{demo} is built with the solution");
        using TempFolder temp = new();
        ProcessStartInfo start = new("dotnet", $"\"{demo}\" 40 \"{Path.Combine(temp.Path, "checkpoints")}\"") { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(2)), Is.True, "the 3D demo finishes");
        Assert.That(process.ExitCode, Is.Zero, output + error.Result);
        Assert.That(output, Does.Contain("restored epoch-0000000000-step-0000000040 (optimiser step 40)")
            .And.Contain("the restored network's scores equal the trained one's: True")
            .And.Contain("classifier (untrained): 8 clouds x 2 scores"));
        Match loss = TutorialLoss().Match(output);
        Assert.That(loss.Success, Is.True, output);
        Assert.That(Number(loss, 2), Is.LessThan(0.6 * Number(loss, 1)), "the training loss falls");
        Match heldOut = TutorialAccuracy().Match(output);
        Assert.That(heldOut.Success, Is.True, output);
        double voxels = Number(heldOut, 1), commonest = Number(heldOut, 2), points = Number(heldOut, 3);
        Assert.That(voxels, Is.GreaterThan(commonest + 30).And.GreaterThan(85), "held-out voxels: far above always answering the commonest class");
        Assert.That(points, Is.GreaterThan(80), "held-out points take their voxel's class");
    }

    private static double Number(Match match, int group) => double.Parse(match.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"mean loss: first \d+ steps ([0-9.]+), last \d+ steps ([0-9.]+)")]
    private static partial Regex TutorialLoss();

    [GeneratedRegex(@"held-out voxels right: ([0-9.]+)% \(always '\w+': ([0-9.]+)%\); points right: ([0-9.]+)%")]
    private static partial Regex TutorialAccuracy();

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
