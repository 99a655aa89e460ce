using MnistDeepCNet;
using NUnit.Framework;
using SpatiallySparse.Samples.Common;

namespace SpatiallySparse.Samples.Tests;

[TestFixture]
public sealed class EndToEndTests
{
    [Test]
    public void TinyRunLearnsAndDenseMatchesSparse()
    {
        MnistSplit train = SyntheticDigits.Split(60, seed: 3), test = SyntheticDigits.Split(30, seed: 4);
        TrainerOptions options = new() { Epochs = 8, BatchSize = 10, Seed = 2 };
        RunHistory sparse = new Trainer(options, new TextReporter(TextWriter.Null)).Run(SyntheticDigits.Model(false, train, test, lr: 0.03f, k: 8, dropout: 0f));
        RunHistory dense = new Trainer(options with { Epochs = 1 }, new TextReporter(TextWriter.Null)).Run(SyntheticDigits.Model(true, train, test, lr: 0.03f, k: 8, dropout: 0f));

        TestContext.Out.WriteLine(string.Join(", ", sparse.Epochs.Select(e => $"{e.TrainLoss:0.000}/{e.TestError:P0}")));
        Assert.That(sparse.Epochs[^1].TrainLoss, Is.LessThan(0.8 * sparse.Epochs[0].TrainLoss), "the loss falls");
        Assert.That(sparse.Epochs[^1].TestError, Is.LessThan(0.5), "better than chance (2/3 error) on held-out shapes");
        Assert.That(dense.Epochs[0].TrainLoss, Is.EqualTo(sparse.Epochs[0].TrainLoss).Within(1e-4), "dense computes what sparse computes");
        Assert.That(dense.Epochs[0].TestError, Is.EqualTo(sparse.Epochs[0].TestError).Within(1.01 / 30), "at most one near-tie prediction may differ by rounding");
    }

    [Test]
    public void ThePlainCnnLearnsOnThe32PixelDigit()
    {
        MnistSplit train = SyntheticDigits.Split(60, seed: 3), test = SyntheticDigits.Split(30, seed: 4);
        SpatiallySparse.Dense.SimpleCnnOptions network = new() { InputSide = 32, Widths = [8, 8], Classes = 3, Slope = 1f / 3, Seed = 5 };
        using SpatiallySparse.Backends.Cpu.CpuBackend backend = new(2);
        MnistTrainable model = new("simple-cnn", dense: true, SpatiallySparse.Dense.DenseNetworks.SimpleCnn(network), train, test, new DigitRasterizer(32), backend,
            SpatiallySparse.Optim.LearningRateSchedule.Exponential(0.03f, 1e-3), momentum: 0.9f);
        RunHistory run = new Trainer(new TrainerOptions { Epochs = 8, BatchSize = 10, Seed = 2 }, new TextReporter(TextWriter.Null)).Run(model);
        TestContext.Out.WriteLine(string.Join(", ", run.Epochs.Select(e => $"{e.TrainLoss:0.000}/{e.TestError:P0}")));
        Assert.That(run.Name, Is.EqualTo("simple-cnn"));
        Assert.That(run.Epochs[^1].TrainLoss, Is.LessThan(0.8 * run.Epochs[0].TrainLoss), "the loss falls");
        Assert.That(run.Epochs[^1].TestError, Is.LessThan(0.5), "better than chance (2/3 error) on held-out shapes");
        Assert.That(run.Epochs[^1].TestMistakes, Has.Count.EqualTo((int)Math.Round(run.Epochs[^1].TestError * 30)), "the record names each misclassified image");
    }

    [TestCase("simple-cnn", true, "add --compare false")]
    [TestCase("resnet", false, "expected deepcnet or simple-cnn")]
    public void ANetworkTheSampleCannotTrainIsExplained(string network, bool compare, string message) =>
        Assert.That(() => new MnistOptions { Architecture = network, Compare = compare }.SimpleCnn, Throws.ArgumentException.With.Message.Contain(message));

    [Test]
    public void ResultsAreWrittenAsJsonMarkdownAndPlots()
    {
        using TempFolder temp = new();
        RunHistory sparse = new("sparse", [new EpochRecord(1, 1.5, 0.4, 0.3, 2, 1, 100)], false);
        RunHistory dense = new("dense", [new EpochRecord(1, 1.5, 0.4, 0.3, 10, 4, 100)], false);
        string md = ResultsWriter.Write(temp.Path, "t", new Dictionary<string, string> { ["k"] = "v" }, [sparse, dense]);
        Assert.That(md, Does.Contain("| sparse | 1 | 1.5000 | 40.00% | 30.00% | 2.0 | 50.0 |").And.Contain("5.00x faster"));
        Assert.That(Directory.GetFiles(temp.Path).Select(Path.GetFileName),
            Is.EquivalentTo(new[] { "results.json", "results.md", "test-error.png", "loss.png", "time-per-epoch.png" }));
        Assert.That(File.ReadAllText(temp.File("results.json")), Does.Contain("\"speedup\": 5"));
    }

    [TestCase("none", null)]
    [TestCase("paper", "0,0,0,0.5,0.5,0.5,0.5")]
    [TestCase("ramp:0.5", "0,0.1,0.2,0.3,0.4,0.5,0.5")]
    [TestCase("0,0,0,0,0.1,0.2,0.3", "0,0,0,0,0.1,0.2,0.3")]
    public void DropoutOptionParses(string option, string? expected)
    {
        IReadOnlyList<float>? rates = new MnistOptions { L = 5, Dropout = option }.DropoutRates();
        Assert.That(rates is null ? null : string.Join(",", rates.Select(r => Math.Round(r, 3).ToString(System.Globalization.CultureInfo.InvariantCulture))), Is.EqualTo(expected));
    }

    [Test]
    public void BadDropoutOptionIsExplained() =>
        Assert.That(() => new MnistOptions { L = 5, Dropout = "0.5,0.5" }.DropoutRates(), Throws.ArgumentException.With.Message.Contain("needs 7 rates"));
}
