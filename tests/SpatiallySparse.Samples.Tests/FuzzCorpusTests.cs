using NUnit.Framework;
using SpatiallySparse.Fuzz;

namespace SpatiallySparse.Samples.Tests;

/// <summary>
/// The fuzzer's seed corpus and every finding it saved (tests/SpatiallySparse.Fuzz/corpus and findings), replayed
/// through the same targets in every test run: each input is read or refused with the reader's documented format
/// exception, within a time bound. A fixed finding stays here as its regression test.
/// </summary>
[TestFixture]
public sealed class FuzzCorpusTests
{
    private static string FuzzFolder()
    {
        for (DirectoryInfo? d = new(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "tests", "SpatiallySparse.Fuzz");
            if (Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException("tests/SpatiallySparse.Fuzz not found above the test folder.");
    }

    private static IEnumerable<TestCaseData> Inputs()
    {
        string fuzz = FuzzFolder();
        foreach (string target in FuzzTargets.Names)
            foreach (string kind in (string[])["corpus", "findings"])
            {
                string folder = Path.Combine(fuzz, kind, target);
                if (!Directory.Exists(folder))
                    continue;
                foreach (string file in Directory.GetFiles(folder).Where(f => !f.EndsWith(".txt", StringComparison.Ordinal) || kind == "corpus").Order(StringComparer.Ordinal))
                    yield return new TestCaseData(target, file).SetArgDisplayNames(target, $"{kind}/{Path.GetFileName(file)}");
            }
    }

    [TestCaseSource(nameof(Inputs))]
    public void TheReaderAcceptsOrRefusesWithItsFormatException(string target, string file)
    {
        using TempFolder temp = new();
        byte[] input = File.ReadAllBytes(file);
        Task run = Task.Run(() =>
        {
            try
            {
                FuzzTargets.Run(target, input, temp.Path);
            }
            catch (Exception e) when (FuzzTargets.IsDocumented(target, e))
            {
            }
        });
        Assert.That(run.Wait(TimeSpan.FromSeconds(30)), Is.True, $"{target} did not finish on {file} within 30 s");
    }

    [Test]
    public void EverySeedIsReadWithoutError()
    {
        string fuzz = FuzzFolder();
        using TempFolder temp = new();
        foreach (string target in FuzzTargets.Names)
        {
            string[] seeds = Directory.GetFiles(Path.Combine(fuzz, "corpus", target));
            Assert.That(seeds, Is.Not.Empty, target);
            foreach (string seed in seeds)
                Assert.DoesNotThrow(() => FuzzTargets.Run(target, File.ReadAllBytes(seed), temp.Path), $"{target} seed {Path.GetFileName(seed)}");
        }
    }
}
