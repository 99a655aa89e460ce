using SpatiallySparse.Distributed;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Samples.Common;

/// <summary>Trains the networks a sample's options ask for (sparse, dense, or sparse then dense), one after another.</summary>
public static class SampleRuns
{
    /// <summary>
    /// Builds each requested model with <paramref name="create"/> (its argument: dense or not) and trains it;
    /// <paramref name="finished"/> sees each model after its run. An interrupted run (Ctrl-C) ends the sequence.
    /// <paramref name="settings"/> (as in the results) is the record a resumed run must match; the epoch count
    /// is left out of it, so a finished run can be extended. With <paramref name="session"/> each network trains
    /// data-parallel, as one rank of the MPI job.
    /// </summary>
    public static List<RunHistory> Train<T>(ISampleOptions options, IReadOnlyDictionary<string, string> settings, Func<bool, T> create,
        ITrainingReporter reporter, CancellationToken cancellation, Action<T>? finished = null, DistributedSession? session = null)
        where T : ITrainable
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(create);
        if (options.Resume && options.Checkpoint is null)
            throw new ArgumentException("--resume needs --checkpoint FOLDER: there is no folder to resume from.");
        List<RunHistory> runs = [];
        bool first = true;
        foreach (bool dense in Modes(options))
        {
            T model = create(dense);
            RunHistory run = new Trainer(Settings(options, settings, model.Name, first), reporter, cancellation, session).Run(model);
            runs.Add(run);
            finished?.Invoke(model);
            if (run.Interrupted)
                break;
            first = false;
        }
        return runs;
    }

    private static bool[] Modes(ISampleOptions options) => options.DenseOnly ? [true] : options.Compare ? [false, true] : [false];

    private static TrainerOptions Settings(ISampleOptions options, IReadOnlyDictionary<string, string> settings, string name, bool first)
    {
        string? folder = options.Checkpoint is null ? null : Path.Combine(options.Checkpoint, name);
        return new TrainerOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.Batch,
            Seed = options.Seed,
            CheckpointFolder = folder,
            // The first network must have a checkpoint to resume; a later one has none when the run stopped before it began.
            Resume = options.Resume && (first || (folder is not null && CheckpointManager.LatestIn(folder) is not null)),
            OverrideSettings = options.OverrideSettings,
            Settings = settings.Where(s => s.Key != "epochs").ToDictionary(),
        };
    }
}
