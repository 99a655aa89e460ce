using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SpatiallySparse.Samples.Common;

/// <summary>Writes a run's results: <c>results.json</c>, <c>results.md</c> and PNG plots.</summary>
public static class ResultsWriter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Writes every output into <paramref name="folder"/>; returns the Markdown summary.</summary>
    /// <remarks><paramref name="comparison"/> says what the sparse/dense ratio compares (the dense twin of the same network by default).</remarks>
    public static string Write(string folder, string title, IReadOnlyDictionary<string, string> settings, IReadOnlyList<RunHistory> runs,
        string comparison = SameNetwork)
    {
        ArgumentNullException.ThrowIfNull(runs);
        Directory.CreateDirectory(folder);
        object document = new { title, provenance = RunProvenance.Current(), settings, runs = runs.Select(r => new { r.Name, r.Interrupted, r.SecondsPerEpoch, r.ImagesPerSecond, r.Epochs }), speedup = Speedup(runs) };
        File.WriteAllText(Path.Combine(folder, "results.json"), JsonSerializer.Serialize(document, Json));
        string markdown = Markdown(title, settings, runs, comparison);
        File.WriteAllText(Path.Combine(folder, "results.md"), markdown);
        ResultPlots.Write(folder, runs);
        return markdown;
    }

    /// <summary>What the ratio compares when the dense network is the sparse one's exact twin.</summary>
    public const string SameNetwork = "same network, same data order, same run";

    /// <summary>Dense seconds per epoch over sparse seconds per epoch, when both ran; else null.</summary>
    public static double? Speedup(IReadOnlyList<RunHistory> runs)
    {
        RunHistory? sparse = runs.FirstOrDefault(r => r.Name == "sparse"), dense = runs.FirstOrDefault(r => r.Name == "dense");
        return sparse is { SecondsPerEpoch: > 0 } && dense is { SecondsPerEpoch: > 0 } ? dense.SecondsPerEpoch / sparse.SecondsPerEpoch : null;
    }

    /// <summary>The summary table: one row per network and epoch, then the sparse/dense speed ratio.</summary>
    public static string Markdown(string title, IReadOnlyDictionary<string, string> settings, IReadOnlyList<RunHistory> runs, string comparison = SameNetwork)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(runs);
        StringBuilder md = new();
        md.AppendLine(CultureInfo.InvariantCulture, $"## {title}").AppendLine();
        md.AppendLine(string.Join(", ", settings.Select(kv => $"{kv.Key} = {kv.Value}"))).AppendLine();
        md.AppendLine("| network | epoch | train loss | train error | test error (95% interval) | train s/epoch | images/s |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (RunHistory run in runs)
            foreach (EpochRecord e in run.Epochs)
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {run.Name} | {e.Epoch} | {e.TrainLoss:0.0000} | {100 * e.TrainError:0.00}% | {TestError(e)} | {e.TrainSeconds:0.0} | {e.ImagesPerSecond:0.0} |");
        if (Speedup(runs) is double ratio)
        {
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Sparse trains {ratio:0.00}x faster per epoch than dense ({comparison}).");
            // The first epoch also pays for JIT compilation and geometry caches; the last one shows the steady state.
            RunHistory sparse = runs.First(r => r.Name == "sparse"), dense = runs.First(r => r.Name == "dense");
            if (sparse.Epochs.Count > 1 && dense.Epochs.Count > 1 && sparse.Epochs[^1].TrainSeconds > 0)
                md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Last epoch alone: {dense.Epochs[^1].TrainSeconds / sparse.Epochs[^1].TrainSeconds:0.00}x.");
        }
        foreach (RunHistory run in runs.Where(r => r.Interrupted))
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"{run.Name} was interrupted; resume with --resume.");
        return md.ToString();
    }

    /// <summary>A test error with its Wilson interval, e.g. <c>0.48% (0.36-0.63%)</c>; the interval only when the test set size is recorded.</summary>
    public static string TestError(EpochRecord epoch)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        string error = string.Create(CultureInfo.InvariantCulture, $"{100 * epoch.TestError:0.00}%");
        return epoch.TestErrorInterval is ErrorInterval i ? string.Create(CultureInfo.InvariantCulture, $"{error} ({100 * i.Low:0.00}-{100 * i.High:0.00}%)") : error;
    }
}
