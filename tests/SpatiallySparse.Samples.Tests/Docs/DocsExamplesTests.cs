using System.Net;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace SpatiallySparse.Samples.Tests.Docs;

/// <summary>
/// The <c>&lt;example&gt;</c> code of the libraries' XML documentation (shown in the API reference) is code that
/// builds: every <c>&lt;code language="csharp"&gt;</c> block under src/ appears verbatim, once unescaped, in a source
/// file under samples/ or tests/.
/// </summary>
[TestFixture]
public sealed partial class DocsExamplesTests
{
    [Test]
    public void EveryXmlDocExampleIsCodeThatBuilds()
    {
        string root = RepositoryFiles.Root;
        string[] sources = [.. new[] { "samples", "tests" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => RepositoryFiles.NormaliseCode(File.ReadAllText(f)))];
        List<string> missing = [];
        int examples = 0;
        foreach (string file in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories))
            foreach (Match block in ExampleCode().Matches(File.ReadAllText(file)))
            {
                examples++;
                string code = RepositoryFiles.NormaliseCode(WebUtility.HtmlDecode(string.Join('\n', block.Groups[1].Value.Split('\n')
                    .Select(l => l.TrimStart()).Select(l => l.StartsWith("///", StringComparison.Ordinal) ? l[3..] : l))));
                if (!sources.Any(s => s.Contains(code, StringComparison.Ordinal)))
                    missing.Add($"{Path.GetRelativePath(root, file)}: example starting '{code.Split('\n')[0]}'");
            }
        Assert.That(examples, Is.GreaterThanOrEqualTo(7), "the main entry points carry examples");
        Assert.That(missing, Is.Empty, "XML doc examples that no compiled sample or test contains");
    }

    [GeneratedRegex(@"/// <code language=""csharp"">\n(.*?)/// </code>", RegexOptions.Singleline)]
    private static partial Regex ExampleCode();
}
