using System.Globalization;
using SpatiallySparse.Backends;
using SpatiallySparse.Dense;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Distributed;
using SpatiallySparse.Ilgpu;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;
using SpatiallySparse.Samples.Common;

namespace MnistDeepCNet;

/// <summary>Runs the sample: finds and verifies the data, trains the sparse and/or dense DeepCNet, writes the results.</summary>
public static class MnistApp
{
    /// <summary>
    /// Trains as <paramref name="options"/> say; returns the runs (also written to <see cref="MnistOptions.Out"/>).
    /// With <paramref name="session"/> this process is one rank of a data-parallel job: rank 0 finds (or downloads)
    /// the data before the others look, and only rank 0 writes the results.
    /// </summary>
    public static IReadOnlyList<RunHistory> Run(MnistOptions options, ITrainingReporter reporter, DataFolder locator, CancellationToken cancellation,
        DistributedSession? session = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(reporter);
        ArgumentNullException.ThrowIfNull(locator);
        options.Validate(); // before the data: a bad setting must not cost a download or an epoch
        int localBatch = TrainerParallel.LocalBatch(options.Batch, session);  // refuses a batch the ranks cannot split before any data is read
        bool simpleCnn = options.SimpleCnn;  // checked before the data is loaded
        using ISparseBackend backend = CreateBackend(options);
        DeepCNetOptions network = options.Network();
        // The plain CNN sees the digit with room for the +-2 pixel shifts only; DeepCNet its 3 x 2^l grid.
        DigitRasterizer rasterizer = new(simpleCnn ? SimpleCnnSetup.Side : SpatiallySparse.Networks.DeepCNet.InputSide(options.L), options.Threshold);
        (string folder, DataSource source) = LocateOnRootFirst(locator, options.Data, session);
        reporter.WriteLine($"MNIST from {folder} ({source}); verifying checksums...");
        (MnistSplit train, MnistSplit test) = MnistData.Load(folder);
        train = train.Take(options.TrainSubset);
        test = test.Take(options.TestSubset);
        string title = simpleCnn ? SimpleCnnSetup.Title : $"DeepCNet({options.L}, {options.K})";
        reporter.WriteLine($"{title} on {rasterizer.GridSide}x{rasterizer.GridSide}, dropout {(simpleCnn ? "none" : options.Dropout)}, {train.Count} training / {test.Count} test images, batch {options.Batch}, {backend.Name}" +
            (session is null ? "." : $", {session.WorldSize} ranks x {localBatch}."));
        LearningRateSchedule schedule = LearningRateSchedule.Exponential(options.LearningRate, options.LearningRateDecay);
        Dictionary<string, string> settings = Settings(options, backend, train.Count, test.Count);
        if (simpleCnn)
            (settings["network"], settings["dropout"], settings["dropout scaling"]) = (title, "none", "none");
        if (session is not null)
            settings["ranks"] = session.WorldSize.ToString(CultureInfo.InvariantCulture);
        List<RunHistory> runs = SampleRuns.Train(options, settings,
            dense => simpleCnn
                ? new MnistTrainable("simple-cnn", dense: true, DenseNetworks.SimpleCnn(SimpleCnnSetup.Network(options.Seed, options.Slope)), train, test, rasterizer, backend, schedule, options.Momentum, options.Nesterov)
                : new MnistTrainable(dense, network, train, test, rasterizer, backend, schedule, options.Momentum, options.Nesterov),
            reporter, cancellation, session: session);
        if (session is { IsRoot: false })
            return runs;
        string markdown = ResultsWriter.Write(options.Out, $"{title} on MNIST", settings, runs);
        reporter.WriteLine(markdown);
        reporter.WriteLine($"Results, plots and results.json in {Path.GetFullPath(options.Out)}");
        return runs;
    }

    /// <summary>Under MPI, rank 0 locates (and may download) the data while the other ranks wait, so that only one process downloads.</summary>
    private static (string Folder, DataSource Source) LocateOnRootFirst(DataFolder locator, string? data, DistributedSession? session)
    {
        if (session is { IsRoot: false })
            session.Barrier();
        (string Folder, DataSource Source) found = locator.Locate(MnistData.Spec, data);
        if (session is { IsRoot: true })
            session.Barrier();
        return found;
    }

    private static ISparseBackend CreateBackend(MnistOptions options) => options.Backend.ToLowerInvariant() switch
    {
        "cpu" => new CpuBackend(options.Threads),
        "gpu" => IlgpuBackend.CreateCuda(),
        _ => throw new ArgumentException($"--backend '{options.Backend}': expected cpu or gpu."),
    };

    private static Dictionary<string, string> Settings(MnistOptions o, ISparseBackend backend, int trainCount, int testCount) => new()
    {
        ["network"] = $"DeepCNet({o.L}, {o.K})",
        ["dropout"] = o.Dropout,
        ["dropout scaling"] = o.DropoutScaling,
        ["epochs"] = o.Epochs.ToString(CultureInfo.InvariantCulture),
        ["batch"] = o.Batch.ToString(CultureInfo.InvariantCulture),
        ["lr"] = $"{o.LearningRate.ToString(CultureInfo.InvariantCulture)} * exp(-{o.LearningRateDecay.ToString(CultureInfo.InvariantCulture)} t)",
        // "(Nesterov)" only when set, so that the settings of runs checkpointed before the option existed still match on --resume.
        ["momentum"] = o.Momentum.ToString(CultureInfo.InvariantCulture) + (o.Nesterov ? " (Nesterov)" : ""),
        ["train images"] = trainCount.ToString(CultureInfo.InvariantCulture),
        ["test images"] = testCount.ToString(CultureInfo.InvariantCulture),
        ["seed"] = o.Seed.ToString(CultureInfo.InvariantCulture),
        ["backend"] = backend.Name,
    };
}

/// <summary>The plain CNN the sample trains with <c>--network simple-cnn</c>: the library's <see cref="SimpleCnnOptions"/> on the 32 x 32 digit.</summary>
internal static class SimpleCnnSetup
{
    /// <summary>Picture side: the 28 x 28 digit and +-2 pixel shifts.</summary>
    public const int Side = 32;

    /// <summary>How results name the network.</summary>
    public const string Title = "SimpleCnn(32, 64, 128)";

    /// <summary>The network's settings for <paramref name="seed"/> and activation <paramref name="slope"/>.</summary>
    public static SimpleCnnOptions Network(int seed, float slope) =>
        new() { InputSide = Side, InputChannels = 1, Widths = [32, 64, 128], Classes = 10, Slope = slope, Seed = seed };
}
