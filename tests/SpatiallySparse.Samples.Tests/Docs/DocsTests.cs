using System.Diagnostics;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace SpatiallySparse.Samples.Tests.Docs;

/// <summary>
/// The documentation stays true to the code: every C# block of README.md and docs/ appears verbatim in a source
/// file that builds in CI (samples/ or tests/), and every relative link points at a file or folder that exists.
/// </summary>
[TestFixture]
public sealed partial class DocsTests
{
    private static readonly string Root = RepositoryRoot();

    private static IEnumerable<string> MarkdownFiles() =>
        new[] { Path.Combine(Root, "README.md") }.Concat(Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.md", SearchOption.AllDirectories));

    [Test]
    public void EveryCSharpBlockIsCodeThatBuilds()
    {
        string[] sources = [.. new[] { "samples", "tests" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => Normalise(File.ReadAllText(f)))];
        List<string> missing = [];
        int blocks = 0;
        foreach (string file in MarkdownFiles())
            foreach (Match block in CSharpBlock().Matches(File.ReadAllText(file)))
            {
                blocks++;
                string code = Normalise(block.Groups[1].Value);
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
        string configuration = new DirectoryInfo(TestContext.CurrentContext.TestDirectory).Parent!.Name;  // bin/<configuration>/net10.0
        string demo = Path.Combine(Root, "samples", "Demo", "bin", configuration, "net10.0", "Demo.dll");
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

    /// <summary>Lines trimmed, blank lines dropped: indentation and spacing may differ between a page and the source.</summary>
    private static string Normalise(string code) =>
        string.Join('\n', code.Replace("\r", "", StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)) + "\n";

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? d = new(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "SpatiallySparse.sln")))
                return d.FullName;
        throw new InvalidOperationException("The repository root (SpatiallySparse.sln) is not above the test folder.");
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
