namespace SpatiallySparse.Samples.Common;

/// <summary>
/// Where a run stands, saved with each checkpoint: the next batch to train, the optimiser's step count, the
/// finished epochs and the running sums of the current one. With the per-batch seeds (<see cref="Seeds"/>)
/// this is all a resumed run needs to continue exactly.
/// </summary>
public sealed record TrainingState
{
    /// <summary>0-based epoch in progress (equals the number of finished epochs).</summary>
    public int Epoch { get; init; }

    /// <summary>Next batch of <see cref="Epoch"/> to train.</summary>
    public int NextBatch { get; init; }

    /// <summary>Optimiser steps taken (drives the learning-rate schedule).</summary>
    public long OptimizerSteps { get; init; }

    /// <summary>Run seed, checked on resume (another seed would not continue the same run).</summary>
    public int Seed { get; init; }

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
