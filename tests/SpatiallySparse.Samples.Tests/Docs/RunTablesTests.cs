using System.Text.Json;
using NUnit.Framework;
using SpatiallySparse.Samples.Common;

namespace SpatiallySparse.Samples.Tests.Docs;

/// <summary>The docs' accuracy tables are generated from the run records in docs/runs, with intervals and paired tests.</summary>
[TestFixture]
public sealed class RunTablesTests
{
    [Test]
    public void EveryRunTableOfTheDocsIsItsRecords() =>
        Assert.That(RunTables.Update(Path.Combine(RepositoryFiles.Root, "docs"), check: true), Is.Empty,
            "a run table differs from docs/runs: run dotnet run --project tools/RunTables");

    [Test]
    public void RowsCarryIntervalsAndTheFirstRunIsTheReferenceOfThePairedTest()
    {
        using TempFolder folder = new();
        string docs = folder.Path;
        Directory.CreateDirectory(Path.Combine(docs, "runs"));
        // 1000 test images: a wrong on 0-19 and 30-39 (30), b wrong on 0-9 and 30-39 (20): 10 discordant, all a's.
        Write(docs, "a", "x", [.. Enumerable.Range(0, 20), .. Enumerable.Range(30, 10)]);
        Write(docs, "b", "y", [.. Enumerable.Range(0, 10), .. Enumerable.Range(30, 10)]);
        string table = RunTables.Table(docs, ["a", "b"]);
        Assert.That(table, Does.Contain("| `a` | option x | 2 | 3.00% (2.11-4.25%) | 3.00% (2) |"));
        Assert.That(table, Does.Contain("| reference |"));
        // Binomial(10, 1/2): P(X <= 0) = 1/1024, two-sided 0.002.
        Assert.That(table, Does.Contain("better: 0 images wrong only here, 10 only there, p = 0.002"));
        Assert.That(table, Does.Contain("commit `0123456`"));
    }

    [Test]
    public void AMissingRecordIsNamed()
    {
        using TempFolder folder = new();
        Directory.CreateDirectory(Path.Combine(folder.Path, "runs"));
        Assert.That(() => RunTables.Table(folder.Path, ["nowhere"]), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains("'nowhere'"));
    }

    private static void Write(string docs, string id, string option, int[] mistakes)
    {
        EpochRecord first = new(1, 1.0, 0.5, 0.2, 10, 1, 100) { TestCount = 1000, TestMistakes = [.. Enumerable.Range(0, 200)] };
        EpochRecord last = new(2, 0.5, 0.1, mistakes.Length / 1000.0, 10, 1, 100) { TestCount = 1000, TestMistakes = mistakes };
        var record = new
        {
            title = "t",
            provenance = new RunProvenance($"Sample --option {option}", "0123456789abcdef", "2026-12-03T00:00:00Z", "2 cores"),
            settings = new Dictionary<string, string> { ["option"] = option, ["seed"] = "1" },
            runs = new[] { new { Name = "sparse", Interrupted = false, SecondsPerEpoch = 10.0, Epochs = new[] { first, last } } },
        };
        File.WriteAllText(Path.Combine(docs, "runs", id + ".json"), JsonSerializer.Serialize(record));
    }
}
