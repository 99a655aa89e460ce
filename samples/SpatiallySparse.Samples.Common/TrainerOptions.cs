namespace SpatiallySparse.Samples.Common;

/// <summary>Settings of a <see cref="Trainer"/> run.</summary>
public sealed record TrainerOptions
{
    /// <summary>Epochs to train in total (a resumed run continues up to this number).</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Run seed: data order, augmentation and dropout masks derive from it.</summary>
    public int Seed { get; init; }

    /// <summary>Checkpoint folder for this network, or null for none.</summary>
    public string? CheckpointFolder { get; init; }

    /// <summary>Continue from the newest checkpoint in <see cref="CheckpointFolder"/>; an error when there is none.</summary>
    public bool Resume { get; init; }

    /// <summary>Resume even when the checkpoint's settings differ from <see cref="Settings"/>.</summary>
    public bool OverrideSettings { get; init; }

    /// <summary>
    /// The run's settings (network, learning rate, data subset…), saved with each checkpoint: a resume with other
    /// values is refused unless <see cref="OverrideSettings"/>. Seed and batch size are added by the trainer.
    /// </summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Number of newest checkpoints kept.</summary>
    public int Keep { get; init; } = 2;

    /// <summary>Stop after this many training batches in total, saving a checkpoint (tests of resume); null: no limit.</summary>
    public int? StopAfterBatches { get; init; }
}
