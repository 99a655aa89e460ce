using System.Numerics;
using AssameseHandwriting;
using NUnit.Framework;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Data;
using SpatiallySparse.Handwriting;
using SpatiallySparse.Samples.Common;

namespace SpatiallySparse.Samples.Tests;

/// <summary>A tiny run of the sample's sparse VGG net on synthetic pen characters: the training loss must fall.</summary>
[TestFixture]
public sealed class AssameseEndToEndTests
{
    /// <summary>Three classes (horizontal bar, vertical bar, a bar and a dot), each writer drawing them slightly differently.</summary>
    private static AssameseSplit Synthetic(int writers, int firstWriter, int seed)
    {
        Random random = new(seed);
        List<AssameseSample> samples = [];
        for (int w = firstWriter; w < firstWriter + writers; w++)
            for (int label = 0; label < 3; label++)
            {
                float wobble = random.NextSingle() * 10;
                Vector2[] bar = label == 1 ? [new(100, 0), new(100 + wobble, 200)] : [new(0, 100), new(200, 100 + wobble)];
                IReadOnlyList<Vector2>[] strokes = label == 2 ? [bar, [new Vector2(100, 180 + wobble)]] : [bar];
                samples.Add(new AssameseSample(label, w, new PenCharacter(strokes)));
            }
        return new AssameseSplit(samples);
    }

    [Test]
    public void TrainingLossFallsAndTheRunRendersPictures()
    {
        AssameseOptions options = new() { Widths = "4,6", Scale = 14, Features = 3, Batch = 10, Epochs = 4, LearningRate = 0.05f, Seed = 3 };
        Assert.That(options.GridSide, Is.EqualTo(23));
        AssameseSplit train = Synthetic(20, 1, 1), test = Synthetic(4, 37, 2);
        using CpuBackend backend = new(1);
        AssameseTrainable model = new(false, options, train, test, backend, batchesPerEpoch: 6);
        RunHistory run = new Trainer(new TrainerOptions { Epochs = options.Epochs, BatchSize = options.Batch, Seed = options.Seed }, new TextReporter(TextWriter.Null)).Run(model);

        Assert.That(run.Epochs, Has.Count.EqualTo(4));
        Assert.That(run.Epochs[^1].TrainLoss, Is.LessThan(0.8 * run.Epochs[0].TrainLoss), string.Join(", ", run.Epochs.Select(e => e.TrainLoss)));
        Assert.That(model.RenderedCharacters, Is.EqualTo(4 * (60 + 12)));

        using TempFolder temp = new();
        IReadOnlyList<string> pictures = RenderedPictures.Write(model, 2, temp.Path, seed: 1);
        Assert.That(pictures, Has.Count.EqualTo(4));
        Assert.That(pictures.Select(p => new FileInfo(p).Length), Is.All.GreaterThan(100));
    }

    [Test]
    public void DenseBaselineRunsOnTheSameBatches()
    {
        AssameseOptions options = new() { Widths = "3", Scale = 5, Features = 1, Batch = 6, Epochs = 1, Seed = 4, Augment = false };
        AssameseSplit train = Synthetic(4, 1, 5), test = Synthetic(1, 37, 6);
        using CpuBackend backend = new(1);
        AssameseTrainable sparse = new(false, options, train, test, backend, batchesPerEpoch: 2), dense = new(true, options, train, test, backend, batchesPerEpoch: 2);
        Assert.That(Batches(dense), Is.EqualTo(Batches(sparse)).And.Count.EqualTo(2), "the same characters, in the same order and batches");
        TrainerOptions trainer = new() { Epochs = 1, BatchSize = 6, Seed = 4 };
        RunHistory sparseRun = new Trainer(trainer, new TextReporter(TextWriter.Null)).Run(sparse);
        RunHistory denseRun = new Trainer(trainer, new TextReporter(TextWriter.Null)).Run(dense);
        Assert.That((sparseRun.Name, denseRun.Name), Is.EqualTo(("sparse", "dense")));
        Assert.That(denseRun.Epochs[0].TrainImages, Is.EqualTo(sparseRun.Epochs[0].TrainImages).And.EqualTo(12));
        Assert.That(dense.RenderedCharacters, Is.EqualTo(sparse.RenderedCharacters), "each model rendered the same characters");
        Assert.That(double.IsFinite(denseRun.Epochs[0].TrainLoss), Is.True);
    }

    [Test]
    public void TheSimpleCnnTrainsDenseOnTheSixtyFourSidedPicture()
    {
        AssameseOptions options = new() { Net = "simple-cnn", Features = 3, Batch = 10, Epochs = 3, LearningRate = 0.02f, Seed = 3 };
        Assert.That((options.GridSide, options.CharacterScale, options.NetworkName), Is.EqualTo((64, 40f, "SimpleCnn(32, 64, 128)")));
        AssameseSplit train = Synthetic(10, 1, 1), test = Synthetic(2, 37, 2);
        using CpuBackend backend = new(1);
        AssameseTrainable model = new(false, options, train, test, backend, batchesPerEpoch: 3);
        Assert.That((model.Dense, model.Name), Is.EqualTo((true, "simple-cnn")), "the simple CNN has no sparse form, whatever the caller asks");
        RunHistory run = new Trainer(new TrainerOptions { Epochs = options.Epochs, BatchSize = options.Batch, Seed = options.Seed }, new TextReporter(TextWriter.Null)).Run(model);
        Assert.That(run.Epochs[^1].TrainLoss, Is.LessThan(0.8 * run.Epochs[0].TrainLoss), string.Join(", ", run.Epochs.Select(e => e.TrainLoss)));
    }

    [Test]
    public void InitialGradientsReportEachWeightAndChangeNothing()
    {
        AssameseOptions options = new() { Widths = "4,6", Scale = 14, Features = 3, Batch = 10, Seed = 3 };
        AssameseSplit train = Synthetic(10, 1, 1), test = Synthetic(2, 37, 2);
        using CpuBackend backend = new(1);
        AssameseTrainable model = new(false, options, train, test, backend, batchesPerEpoch: 3);
        float[][] before = [.. model.Network.Parameters().Select(p => p.GetValues())];

        InitialGradientReport report = InitialGradients.Measure(model, options.Batch, options.Seed);
        Assert.That(report.Weights.Select(w => w.Name), Is.EqualTo(model.Network.NamedParameters().Where(p => p.Parameter.Rows > 1).Select(p => p.Name)));
        Assert.That(report.Weights.Select(w => w.GradientRms), Is.All.GreaterThan(0), report.ToString());
        Assert.That(report.Classes, Is.EqualTo(183));
        Assert.That(model.Network.Parameters().Select(p => p.GetValues()), Is.EqualTo(before), "no step");
        Assert.That(model.Network.Parameters().SelectMany(p => p.Grad.ToArray()), Is.All.Zero, "gradients left zeroed");

        // A head of zeros ignores its input: uniform output, loss ln C, and no gradient reaches the layers below it.
        foreach (var p in model.Network.Parameters().TakeLast(2))
            p.SetValues(new float[p.Rows * p.Columns]);
        InitialGradientReport flat = InitialGradients.Measure(model, options.Batch, options.Seed);
        Assert.That(flat.LargestProbability, Is.EqualTo(1).Within(1e-5));
        Assert.That(flat.Loss, Is.EqualTo(Math.Log(183)).Within(1e-5));
        Assert.That(flat.Weights.SkipLast(1).Select(w => w.GradientRms), Is.All.Zero, flat.ToString());
        Assert.That(flat.Weights[^1].GradientRms, Is.GreaterThan(0), "the head itself still learns");
        Assert.That(flat.ToString(), Does.Contain("largest probability x 183 = 1.000"));
    }

    private static List<string> Batches(AssameseTrainable model)
    {
        using SparseBatchLoader loader = model.Loader(training: true, batchSize: 6, seed: 4);
        List<string> batches = [];
        foreach (SparseBatch batch in loader.Epoch(0))
            using (batch)
                batches.Add($"{string.Join(",", batch.Indices)} / {string.Join(",", batch.Labels!)}");
        return batches;
    }

    [Test]
    public void ACharacterOutsideTheGridIsReportedWithTheGridAndTheScale()
    {
        // Issue 16: this used to say "Sample 0 of the batch of 6 has no active sites".
        AssameseOptions options = new() { Widths = "3", Scale = 1000, Features = 1, Batch = 6, Epochs = 1, Seed = 4, Augment = false };
        AssameseSplit train = Synthetic(2, 1, 5), test = Synthetic(1, 37, 6);
        using CpuBackend backend = new(1);
        AssameseTrainable sparse = new(false, options, train, test, backend, batchesPerEpoch: 1);
        Exception e = Assert.Catch(() => new Trainer(new TrainerOptions { Epochs = 1, BatchSize = 6, Seed = 4 }, new TextReporter(TextWriter.Null)).Run(sparse))!;
        Assert.That(e, Is.InstanceOf<SparseBatchException>().And.InnerException.InstanceOf<ArgumentException>());
        Assert.That(e.Message, Does.Contain($"does not fit the {options.GridSide}x{options.GridSide} grid at --scale 1000").And.Contain("fell outside").And.Not.Contain("no active sites"));
    }

    [Test]
    public void BadOptionsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new AssameseOptions { Features = 2 }.FeatureSet());
        Assert.Throws<ArgumentException>(() => _ = new AssameseOptions { Net = "resnet" }.IsDeepCNet);
        Assert.Throws<ArgumentException>(() => new AssameseOptions { Widths = "8,x" }.VggNetwork());
        Assert.That(new AssameseOptions { Net = "deepcnet" }.GridSide, Is.EqualTo(192));
        Assert.That(new AssameseOptions { Net = "deepcnet" }.CharacterScale, Is.EqualTo(64f));
        Assert.That(() => _ = new AssameseOptions { Net = "simple-cnn", Compare = true }.Kind, Throws.ArgumentException.With.Message.Contains("--compare"));
        Assert.That(() => new AssameseOptions { Net = "simple-cnn", Scale = 70 }.Validate(), Throws.InstanceOf<ArgumentException>().With.Message.Contains("--scale"));
    }

    [Test]
    public void ResultsSayWhatTheSpeedRatioComparesAndGiveTheLastEpochAlone()
    {
        EpochRecord E(int epoch, double seconds) => new(epoch, 1, 0.5, 0.5, seconds, 0.1, 100);
        RunHistory sparse = new("sparse", [E(1, 4), E(2, 2)], false), dense = new("dense", [E(1, 30), E(2, 20)], false);
        string md = ResultsWriter.Markdown("t", new Dictionary<string, string>(), [sparse, dense], "a dense net of the same shape");
        Assert.That(md, Does.Contain("Sparse trains 8.33x faster per epoch than dense (a dense net of the same shape)."));
        Assert.That(md, Does.Contain("Last epoch alone: 10.00x."));
        Assert.That(ResultsWriter.Markdown("t", new Dictionary<string, string>(), [sparse with { Epochs = [E(1, 4)] }, dense]), Does.Not.Contain("Last epoch"));
    }
}
