using System.Globalization;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Ilgpu;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;
using SpatiallySparse.Samples.Common;

namespace MnistDeepCNet;

/// <summary>Runs the sample: finds and verifies the data, trains the sparse and/or dense DeepCNet, writes the results.</summary>
public static class MnistApp
{
    /// <summary>Trains as <paramref name="options"/> say; returns the runs (also written to <see cref="MnistOptions.Out"/>).</summary>
    public static IReadOnlyList<RunHistory> Run(MnistOptions options, ITrainingReporter reporter, DataFolder locator, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(reporter);
        ArgumentNullException.ThrowIfNull(locator);
        options.Validate(); // before the data: a bad setting must not cost a download or an epoch
        using ISparseBackend backend = CreateBackend(options);
        DeepCNetOptions network = options.Network();
        DigitRasterizer rasterizer = new(SpatiallySparse.Networks.DeepCNet.InputSide(options.L), options.Threshold);
        (string folder, DataSource source) = locator.Locate(MnistData.Spec, options.Data);
        reporter.WriteLine($"MNIST from {folder} ({source}); verifying checksums...");
        (MnistSplit train, MnistSplit test) = MnistData.Load(folder);
        train = train.Take(options.TrainSubset);
        test = test.Take(options.TestSubset);
        reporter.WriteLine($"DeepCNet({options.L}, {options.K}) on {rasterizer.GridSide}x{rasterizer.GridSide}, dropout {options.Dropout}, {train.Count} training / {test.Count} test images, batch {options.Batch}, {backend.Name}.");
        LearningRateSchedule schedule = LearningRateSchedule.Exponential(options.LearningRate, options.LearningRateDecay);
        Dictionary<string, string> settings = Settings(options, backend, train.Count, test.Count);
        List<RunHistory> runs = SampleRuns.Train(options, settings,
            dense => new MnistTrainable(dense, network, train, test, rasterizer, backend, schedule, options.Momentum), reporter, cancellation);
        string markdown = ResultsWriter.Write(options.Out, $"DeepCNet({options.L}, {options.K}) on MNIST", settings, runs);
        reporter.WriteLine(markdown);
        reporter.WriteLine($"Results, plots and results.json in {Path.GetFullPath(options.Out)}");
        return runs;
    }

    private static ISparseBackend CreateBackend(MnistOptions options) => options.Backend.ToLowerInvariant() switch
    {
        "cpu" => new CpuBackend(options.Threads),
        // The dense baseline is a CPU implementation: on the GPU the sparse network runs alone.
        "gpu" when options.DenseOnly || options.Compare => throw new NotSupportedException("--backend gpu runs the sparse network only: add --compare false and leave out --dense (the dense baseline is CPU-only)."),
        "gpu" => IlgpuBackend.CreateCuda(),
        _ => throw new ArgumentException($"--backend '{options.Backend}': expected cpu or gpu."),
    };

    private static Dictionary<string, string> Settings(MnistOptions o, ISparseBackend backend, int trainCount, int testCount) => new()
    {
        ["network"] = $"DeepCNet({o.L}, {o.K})",
        ["dropout"] = o.Dropout,
        ["epochs"] = o.Epochs.ToString(CultureInfo.InvariantCulture),
        ["batch"] = o.Batch.ToString(CultureInfo.InvariantCulture),
        ["lr"] = $"{o.LearningRate.ToString(CultureInfo.InvariantCulture)} * exp(-{o.LearningRateDecay.ToString(CultureInfo.InvariantCulture)} t)",
        ["momentum"] = o.Momentum.ToString(CultureInfo.InvariantCulture),
        ["train images"] = trainCount.ToString(CultureInfo.InvariantCulture),
        ["test images"] = testCount.ToString(CultureInfo.InvariantCulture),
        ["seed"] = o.Seed.ToString(CultureInfo.InvariantCulture),
        ["backend"] = backend.Name,
    };
}
