namespace SpatiallySparse.Samples.Common;

/// <summary>
/// Where a run stands, saved as metadata of each checkpoint: the next batch to train, the finished epochs and
/// the running sums of the current one. The library's checkpoint holds the rest (weights, optimiser, generators,
/// settings); with the per-batch seeds (<see cref="Seeds"/>) a resumed run continues exactly.
/// </summary>
public sealed record TrainingState
{
    /// <summary>0-based epoch in progress (equals the number of finished epochs).</summary>
    public int Epoch { get; init; }

    /// <summary>Next batch of <see cref="Epoch"/> to train.</summary>
    public int NextBatch { get; init; }

    /// <summary>Sum of batch losses times batch sizes so far in this epoch.</summary>
    public double LossSum { get; init; }

    /// <summary>Correct training predictions so far in this epoch.</summary>
    public int Correct { get; init; }

    /// <summary>Samples trained so far in this epoch.</summary>
    public int Seen { get; init; }

    /// <summary>Training seconds so far in this epoch.</summary>
    public double Seconds { get; init; }

    /// <summary>Finished epochs.</summary>
    public IReadOnlyList<EpochRecord> History { get; init; } = [];
}
