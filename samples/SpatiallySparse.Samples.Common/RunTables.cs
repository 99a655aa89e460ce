using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SpatiallySparse.Samples.Common;

/// <summary>
/// The accuracy tables of the docs, generated from run records (a sample's <c>results.json</c>, kept as
/// <c>docs/runs/ID.json</c>): a region <c>&lt;!-- runs:table ID1,ID2,... --&gt;</c> ... <c>&lt;!-- runs:end --&gt;</c> of a
/// Markdown page holds one row per run (its final and best test error with 95% Wilson intervals, time per epoch)
/// and, for every run after the first, McNemar's paired test of its final epoch against the first run's on the
/// same test images, then the runs' provenance; a region <c>&lt;!-- runs:epochs ID1,ID2,... --&gt;</c> holds their test
/// errors epoch by epoch. <see cref="Update"/> rewrites the regions; the docs tests check them.
/// </summary>
public static partial class RunTables
{
    /// <summary>Below this p-value a difference is reported as one; above it, as inside the noise.</summary>
    public const double Significance = 0.05;

    /// <summary>
    /// Rewrites every run-table region of the Markdown files under <paramref name="docs"/> from the records in
    /// <paramref name="docs"/>/runs; with <paramref name="check"/>, writes nothing. Returns the files that differed.
    /// </summary>
    public static IReadOnlyList<string> Update(string docs, bool check)
    {
        ArgumentNullException.ThrowIfNull(docs);
        List<string> stale = [];
        foreach (string file in Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string text = File.ReadAllText(file);
            string updated = Region().Replace(text, m => m.Groups[1].Value + Table(docs, m.Groups[2].Value.Split(',')) + m.Groups[3].Value);
            updated = EpochRegion().Replace(updated, m => m.Groups[1].Value + EpochTable(docs, m.Groups[2].Value.Split(',')) + m.Groups[3].Value);
            if (updated == text)
                continue;
            stale.Add(file);
            if (!check)
                File.WriteAllText(file, updated);
        }
        return stale;
    }

    /// <summary>The table of the runs named by <paramref name="ids"/> (files docs/runs/ID.json), the first being the reference.</summary>
    public static string Table(string docs, IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        List<Run> runs = [.. ids.Select(id => Run.Read(docs, id.Trim()))];
        StringBuilder md = new();
        md.AppendLine("| run | settings | epochs | final test error (95% interval) | best test error (epoch) | train s/epoch | final epoch vs the first row (McNemar) |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | --- |");
        foreach (Run run in runs)
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| `{run.Id}` | {Differing(runs, run)} | {run.Last.Epoch} | {ResultsWriter.TestError(run.Last)} | {Percent(run.Best.TestError)} ({run.Best.Epoch}) | {run.SecondsPerEpoch:0.0} | {Versus(runs[0], run)} |");
        md.AppendLine();
        foreach (Run run in runs)
            md.AppendLine(CultureInfo.InvariantCulture, $"- `{run.Id}`: {Source(run)}.");
        return md.ToString();
    }

    /// <summary>
    /// The test error (95% interval) of the runs named by <paramref name="ids"/> epoch by epoch, one column per run: how
    /// runs compare on the way, where their final epochs differ (a run still going, or one stopped early).
    /// </summary>
    public static string EpochTable(string docs, IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        List<Run> runs = [.. ids.Select(id => Run.Read(docs, id.Trim()))];
        StringBuilder md = new();
        md.AppendLine("| epoch | " + string.Join(" | ", runs.Select(r => $"`{r.Id}`")) + " |");
        md.AppendLine("| ---: | " + string.Join(" | ", runs.Select(_ => "---:")) + " |");
        int epochs = runs.Max(r => r.Last.Epoch);
        for (int e = 1; e <= epochs; e++)
        {
            string cells = string.Join(" | ", runs.Select(r => r.Epochs.FirstOrDefault(x => x.Epoch == e) is { } x ? ResultsWriter.TestError(x) : ""));
            md.AppendLine(CultureInfo.InvariantCulture, $"| {e} | {cells} |");
        }
        md.AppendLine();
        foreach (Run run in runs)
            md.AppendLine(CultureInfo.InvariantCulture, $"- `{run.Id}` ({Differing(runs, run)}): {Source(run)}.");
        return md.ToString();
    }

    /// <summary>Where a run's record came from: machine, date, short commit and command.</summary>
    private static string Source(Run run)
    {
        RunProvenance p = run.Provenance;
        return $"{p.Machine}, {p.WrittenUtc}, commit `{p.Commit[..Math.Min(7, p.Commit.Length)]}`, `{p.Command}`";
    }

    /// <summary>The settings in which this run differs from another run of the table (all of them for a lone run).</summary>
    private static string Differing(List<Run> runs, Run run)
    {
        IEnumerable<KeyValuePair<string, string>> shown = runs.Count == 1 ? run.Settings
            : run.Settings.Where(kv => runs.Any(o => !o.Settings.TryGetValue(kv.Key, out string? v) || v != kv.Value));
        // A setting another run records and this one does not (a record older than the setting) is named too.
        IEnumerable<string> unrecorded = runs.SelectMany(o => o.Settings.Keys).Distinct().Where(k => !run.Settings.ContainsKey(k)).Select(k => $"{k} not recorded");
        return string.Join(", ", shown.Where(kv => kv.Key != "epochs").Select(kv => $"{kv.Key} {kv.Value}").Concat(unrecorded));
    }

    private static string Versus(Run reference, Run run)
    {
        if (ReferenceEquals(reference, run))
            return "reference";
        if (reference.Last.TestMistakes is not { } a || run.Last.TestMistakes is not { } b || reference.Last.TestCount != run.Last.TestCount)
            return "not comparable (no per-image record on the same test set)";
        (int onlyReference, int onlyThis, double p) = ErrorStatistics.McNemar(a, b);
        string verdict = p < Significance ? (onlyThis < onlyReference ? "better" : "worse") : "inside the noise";
        string shown = p < 0.001 ? "p < 0.001" : string.Create(CultureInfo.InvariantCulture, $"p = {p:0.###}");
        return string.Create(CultureInfo.InvariantCulture, $"{verdict}: {onlyThis} images wrong only here, {onlyReference} only there, {shown}");
    }

    private static string Percent(double error) => string.Create(CultureInfo.InvariantCulture, $"{100 * error:0.00}%");

    [GeneratedRegex(@"(<!-- runs:table ([a-z0-9,-]+) -->\n)(?:.*?)(<!-- runs:end -->)", RegexOptions.Singleline)]
    private static partial Regex Region();

    [GeneratedRegex(@"(<!-- runs:epochs ([a-z0-9,-]+) -->\n)(?:.*?)(<!-- runs:end -->)", RegexOptions.Singleline)]
    private static partial Regex EpochRegion();

    /// <summary>One run record: the first network of a sample's results.json.</summary>
    private sealed record Run(string Id, RunProvenance Provenance, Dictionary<string, string> Settings, List<EpochRecord> Epochs, double SecondsPerEpoch)
    {
        private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

        public EpochRecord Last => Epochs[^1];

        /// <summary>The epoch of least test error (the first of ties).</summary>
        public EpochRecord Best => Epochs.Aggregate((best, e) => e.TestError < best.TestError ? e : best);

        public static Run Read(string docs, string id)
        {
            string path = Path.Combine(docs, "runs", id + ".json");
            if (!File.Exists(path))
                throw new FileNotFoundException($"Run table names '{id}', but there is no record {path}.", path);
            Record record = JsonSerializer.Deserialize<Record>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path} holds no run record.");
            RunRecord first = record.Runs is [var r, ..] && r.Epochs.Count > 0 ? r
                : throw new InvalidDataException($"{path} holds no network with a finished epoch.");
            return new Run(id, record.Provenance ?? throw new InvalidDataException($"{path} names no provenance (command, commit, date, machine)."),
                record.Settings, first.Epochs, first.SecondsPerEpoch);
        }
    }

    private sealed record Record(RunProvenance? Provenance, Dictionary<string, string> Settings, List<RunRecord> Runs);

    private sealed record RunRecord(string Name, List<EpochRecord> Epochs, double SecondsPerEpoch);
}
