using System.Globalization;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Samples.Common;

namespace AssameseHandwriting;

/// <summary>Runs the sample: finds, verifies and loads the data, trains the sparse and/or dense network, writes the results.</summary>
public static class AssameseApp
{
    /// <summary>Trains as <paramref name="options"/> say; returns the runs (also written to <see cref="AssameseOptions.Out"/>).</summary>
    public static IReadOnlyList<RunHistory> Run(AssameseOptions options, ITrainingReporter reporter, DataFolder locator, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(reporter);
        ArgumentNullException.ThrowIfNull(locator);
        options.Validate(); // before the data: a bad setting must not cost a download or an epoch
        options.FeatureSet();
        IReadOnlySet<int> testWriters = AssameseData.ParseWriters(options.TestWriters);
        (string folder, DataSource source) = locator.Locate(AssameseData.Spec, options.Data);
        reporter.WriteLine($"Assamese characters from {folder} ({source}); verifying checksums...");
        StringWriter log = new();
        IReadOnlyList<AssameseSample> samples = AssameseData.Load(folder, verify: true, log);
        reporter.WriteLine(log.ToString().TrimEnd());
        (AssameseSplit train, AssameseSplit test) = AssameseData.Split(samples, testWriters);
        if (train.Count == 0 || test.Count == 0)
            throw new ArgumentException($"--test-writers '{options.TestWriters}' leaves {train.Count} training and {test.Count} test characters; both must be non-empty.");
        reporter.WriteLine($"Split by writer: {train.Count} training characters, {test.Count} test characters (writers {options.TestWriters}).");
        train = train.Take(options.TrainSubset, options.Seed);
        test = test.Take(options.TestSubset, options.Seed + 1);
        using CpuBackend backend = new(options.Threads);
        int batches = (train.Count + options.Batch - 1) / options.Batch;
        reporter.WriteLine($"{options.NetworkName} on {options.GridSide}x{options.GridSide}, {options.Features} feature(s), {train.Count} training characters / " +
            $"{test.Count} test characters (writers {options.TestWriters}), batch {options.Batch}, augmentation {(options.Augment ? "on" : "off")}, {backend.Name}.");
        if (options.Render > 0)
        {
            AssameseTrainable viewer = new(false, options, train, test, backend, batches);
            IReadOnlyList<string> pictures = RenderedPictures.Write(viewer, options.Render, Path.Combine(options.Out, "render"), options.Seed);
            reporter.WriteLine($"Wrote {pictures.Count} pictures of what the network sees to {Path.GetFullPath(Path.Combine(options.Out, "render"))}.");
        }
        if (options.InitialGradients)
        {
            AssameseTrainable untrained = new(options.DenseOnly, options, train, test, backend, batches);
            reporter.WriteLine($"{options.NetworkName}{(untrained.Dense ? " (dense)" : "")}, before training, first batch of {options.Batch}:");
            reporter.WriteLine(InitialGradients.Measure(untrained, options.Batch, options.Seed).ToString());
            return [];
        }
        if (options.Epochs == 0)
            return []; // --epochs 0 --render N: the pictures only
        Dictionary<string, string> settings = Settings(options, backend, train.Count, test.Count);
        List<RunHistory> runs = SampleRuns.Train(options, settings, dense => new AssameseTrainable(dense, options, train, test, backend, batches), reporter, cancellation, model =>
        {
            if (model.ClippedCharacters > 0)
                reporter.WriteLine($"{model.Name}: {model.ClippedCharacters} of {model.RenderedCharacters} rendered characters had ink outside the " +
                    $"{options.GridSide}x{options.GridSide} grid (dropped; distortions can push strokes past the border).");
        });
        string markdown = ResultsWriter.Write(options.Out, $"{options.NetworkName} on Assamese characters", settings, runs,
            options.IsDeepCNet ? ResultsWriter.SameNetwork : "a dense net of the same shape with 'same'-padded convolutions, same data order, same run");
        reporter.WriteLine(markdown);
        reporter.WriteLine($"Results, plots and results.json in {Path.GetFullPath(options.Out)}");
        return runs;
    }

    private static Dictionary<string, string> Settings(AssameseOptions o, CpuBackend backend, int trainCount, int testCount) => new()
    {
        ["network"] = o.NetworkName,
        ["grid"] = $"{o.GridSide}x{o.GridSide}",
        ["features"] = o.Features.ToString(CultureInfo.InvariantCulture),
        ["scale"] = o.CharacterScale.ToString(CultureInfo.InvariantCulture),
        ["augmentation"] = o.Augment ? "Graham's (jitter, stretch, rotate/slant, shift)" : "none",
        ["epochs"] = o.Epochs.ToString(CultureInfo.InvariantCulture),
        ["batch"] = o.Batch.ToString(CultureInfo.InvariantCulture),
        ["lr"] = $"{o.InitialLearningRate.ToString(CultureInfo.InvariantCulture)} * exp(-{o.LearningRateDecay.ToString(CultureInfo.InvariantCulture)} epoch)",
        ["momentum"] = $"{o.Momentum.ToString(CultureInfo.InvariantCulture)} (Nesterov)",
        ["weight decay"] = o.WeightDecay.ToString(CultureInfo.InvariantCulture),
        ["test writers"] = o.TestWriters,
        ["train characters"] = trainCount.ToString(CultureInfo.InvariantCulture),
        ["test characters"] = testCount.ToString(CultureInfo.InvariantCulture),
        ["seed"] = o.Seed.ToString(CultureInfo.InvariantCulture),
        ["backend"] = backend.Name,
    };
}
