using System.Text.Json;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace SpatiallySparse.Samples.Tests.Docs;

/// <summary>
/// The measured figures have one source, docs/results.json: the README's measured section (between
/// <c>&lt;!-- results:begin --&gt;</c> and <c>&lt;!-- results:end --&gt;</c>) and every table region of docs/*.md
/// (<c>&lt;!-- results:table ID --&gt;</c>) must read exactly as eng/results.py writes them from the record.
/// The rendering here is the script's, line for line.
/// </summary>
[TestFixture]
public sealed partial class DocsResultsTests
{
    private static readonly string Root = RepositoryFiles.Root;

    [Test]
    public void TheReadmesMeasuredSectionIsTheRecords()
    {
        using JsonDocument record = Record();
        string readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        Match region = ReadmeRegion().Match(readme);
        Assert.That(region.Success, Is.True, "README.md holds <!-- results:begin --> ... <!-- results:end -->");
        Assert.That(region.Groups[1].Value, Is.EqualTo(ReadmeSection(record.RootElement)),
            "README.md's measured section differs from docs/results.json: run python3 eng/results.py");
    }

    [Test]
    public void EveryTableRegionIsItsRecord()
    {
        using JsonDocument record = Record();
        Dictionary<string, JsonElement> byId = Records(record.RootElement);
        List<string> stale = [];
        int regions = 0;
        foreach (string file in Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories))
            foreach (Match region in TableRegion().Matches(File.ReadAllText(file)))
            {
                regions++;
                string id = region.Groups[1].Value;
                if (!byId.TryGetValue(id, out JsonElement r) || !r.TryGetProperty("table", out _))
                    stale.Add($"{Path.GetRelativePath(Root, file)}: no table for record '{id}' in docs/results.json");
                else if (region.Groups[2].Value != Table(r))
                    stale.Add($"{Path.GetRelativePath(Root, file)}: table '{id}' differs from docs/results.json");
            }
        Assert.That(stale, Is.Empty, "run python3 eng/results.py");
        string results = File.ReadAllText(Path.Combine(Root, "docs", "results.md"));
        Assert.That(TableRegion().Matches(results), Has.Count.GreaterThanOrEqualTo(8), "docs/results.md quotes its tables from the record");
        Assert.That(regions, Is.GreaterThanOrEqualTo(10));
    }

    [Test]
    public void EveryRecordNamesMachineDateCommitAndCommand()
    {
        using JsonDocument record = Record();
        JsonElement machines = record.RootElement.GetProperty("machines");
        foreach (JsonElement r in record.RootElement.GetProperty("records").EnumerateArray())
        {
            string id = r.GetProperty("id").GetString()!;
            foreach (string field in new[] { "machine", "date", "commit", "command" })
                Assert.That(r.TryGetProperty(field, out JsonElement v) && v.GetString() is { Length: > 0 }, Is.True, $"{id}: {field}");
            Assert.That(machines.TryGetProperty(r.GetProperty("machine").GetString()!, out _), Is.True, $"{id}: machine described");
            Assert.That(r.GetProperty("date").GetString(), Does.Match(@"^\d{4}-\d{2}-\d{2}"), $"{id}: date");
            Assert.That(r.GetProperty("commit").GetString(), Does.Match("^[0-9a-f]{7}"), $"{id}: commit");
        }
    }

    [Test]
    public void AChangedFigureIsCaught()
    {
        using JsonDocument record = Record();
        string original = ReadmeSection(record.RootElement);
        string json = File.ReadAllText(Path.Combine(Root, "docs", "results.json")).Replace("\"61-63 ms\"", "\"60-63 ms\"", StringComparison.Ordinal);
        using JsonDocument changed = JsonDocument.Parse(json);
        Assert.That(ReadmeSection(changed.RootElement), Is.Not.EqualTo(original));
    }

    private static JsonDocument Record() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "docs", "results.json")));

    private static Dictionary<string, JsonElement> Records(JsonElement root) =>
        root.GetProperty("records").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);

    private static string ReadmeSection(JsonElement root)
    {
        Dictionary<string, JsonElement> byId = Records(root);
        List<string> used = [];
        JsonElement readme = root.GetProperty("readme");
        List<string> lines = [readme.GetProperty("heading").GetString()!, ""];
        foreach (JsonElement bullet in readme.GetProperty("bullets").EnumerateArray())
            lines.Add("- " + Placeholder().Replace(bullet.GetString()!, m =>
            {
                string id = m.Groups[1].Value, key = m.Groups[2].Value;
                if (!byId.TryGetValue(id, out JsonElement r) || !r.TryGetProperty("figures", out JsonElement figures) || !figures.TryGetProperty(key, out JsonElement value))
                    throw new AssertionException($"docs/results.json: no figure {id}.{key}");
                if (!used.Contains(id))
                    used.Add(id);
                return value.GetString()!;
            }));
        string sources = string.Join(", ", used.Select(id =>
            $"`{id}` ({byId[id].GetProperty("date").GetString()}, commit `{byId[id].GetProperty("commit").GetString()}`, {byId[id].GetProperty("machine").GetString()})"));
        lines.Add("");
        lines.Add("Each figure is a record of [docs/results.json](docs/results.json), with its machine, date, commit and command: "
            + sources + ". Tables and conditions: [docs/results.md](docs/results.md), [docs/benchmarks.md](docs/benchmarks.md).");
        return string.Join('\n', lines) + "\n";
    }

    private static string Table(JsonElement r)
    {
        JsonElement t = r.GetProperty("table");
        List<string> lines =
        [
            "| " + string.Join(" | ", t.GetProperty("columns").EnumerateArray().Select(c => c.GetString())) + " |",
            "| " + string.Join(" | ", t.GetProperty("align").EnumerateArray().Select(a => a.GetString() == "right" ? "---:" : "---")) + " |",
        ];
        lines.AddRange(t.GetProperty("rows").EnumerateArray().Select(row => "| " + string.Join(" | ", row.EnumerateArray().Select(c => c.GetString())) + " |"));
        string source = $"Record `{r.GetProperty("id").GetString()}` of [results.json](results.json): machine `{r.GetProperty("machine").GetString()}`, "
            + $"{r.GetProperty("date").GetString()}, commit `{r.GetProperty("commit").GetString()}`, `{r.GetProperty("command").GetString()}`";
        if (r.TryGetProperty("note", out JsonElement note))
            source += "; " + note.GetString();
        return string.Join('\n', lines) + "\n\n" + source + ".\n";
    }

    [GeneratedRegex(@"<!-- results:begin -->\n(.*?)<!-- results:end -->", RegexOptions.Singleline)]
    private static partial Regex ReadmeRegion();

    [GeneratedRegex(@"<!-- results:table ([a-z0-9-]+) -->\n(.*?)<!-- results:end -->", RegexOptions.Singleline)]
    private static partial Regex TableRegion();

    [GeneratedRegex(@"\{([a-z0-9-]+)\.([a-z0-9_]+)\}")]
    private static partial Regex Placeholder();
}
