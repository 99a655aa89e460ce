namespace SpatiallySparse.Samples.Common;

/// <summary>Trains the networks a sample's options ask for (sparse, dense, or sparse then dense), one after another.</summary>
public static class SampleRuns
{
    /// <summary>
    /// Builds each requested model with <paramref name="create"/> (its argument: dense or not) and trains it;
    /// <paramref name="finished"/> sees each model after its run. An interrupted run (Ctrl-C) ends the sequence.
    /// </summary>
    public static List<RunHistory> Train<T>(ISampleOptions options, Func<bool, T> create, ITrainingReporter reporter,
        CancellationToken cancellation, Action<T>? finished = null)
        where T : ITrainable
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(create);
        List<RunHistory> runs = [];
        foreach (bool dense in Modes(options))
        {
            T model = create(dense);
            RunHistory run = new Trainer(Settings(options, model.Name), reporter, cancellation).Run(model);
            runs.Add(run);
            finished?.Invoke(model);
            if (run.Interrupted)
                break;
        }
        return runs;
    }

    private static bool[] Modes(ISampleOptions options) => options.DenseOnly ? [true] : options.Compare ? [false, true] : [false];

    private static TrainerOptions Settings(ISampleOptions options, string name) => new()
    {
        Epochs = options.Epochs,
        BatchSize = options.Batch,
        Seed = options.Seed,
        CheckpointFolder = options.Checkpoint is null ? null : Path.Combine(options.Checkpoint, name),
        Resume = options.Resume,
    };
}
