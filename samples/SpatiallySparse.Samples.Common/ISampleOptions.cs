namespace SpatiallySparse.Samples.Common;

/// <summary>The command-line settings every sample shares: which networks to train, for how long, and where to checkpoint.</summary>
public interface ISampleOptions
{
    /// <summary>Epochs.</summary>
    int Epochs { get; }

    /// <summary>Mini-batch size.</summary>
    int Batch { get; }

    /// <summary>Run seed.</summary>
    int Seed { get; }

    /// <summary>Checkpoint folder (a sub-folder per network), or null.</summary>
    string? Checkpoint { get; }

    /// <summary>Resume from the newest checkpoint.</summary>
    bool Resume { get; }

    /// <summary>Resume even when the checkpoint was saved with other settings.</summary>
    bool OverrideSettings { get; }

    /// <summary>Train the dense baseline only.</summary>
    bool DenseOnly { get; }

    /// <summary>Train the sparse network, then its dense baseline, in the same run.</summary>
    bool Compare { get; }
}
