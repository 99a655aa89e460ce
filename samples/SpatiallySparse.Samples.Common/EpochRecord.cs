namespace SpatiallySparse.Samples.Common;

/// <summary>Measurements of one training epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean training loss over the epoch.</param>
/// <param name="TrainError">Training error rate over the epoch (with augmentation and dropout).</param>
/// <param name="TestError">Test error rate after the epoch.</param>
/// <param name="TrainSeconds">Wall time of the training batches (forward, backward, update).</param>
/// <param name="TestSeconds">Wall time of the test evaluation.</param>
/// <param name="TrainImages">Samples trained on.</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, double TrainError, double TestError, double TrainSeconds, double TestSeconds, int TrainImages)
{
    /// <summary>Test samples evaluated (0 in records written before it was kept).</summary>
    public int TestCount { get; init; }

    /// <summary>Sorted indices of the test samples the network got wrong after this epoch (null under MPI and in older records).</summary>
    public IReadOnlyList<int>? TestMistakes { get; init; }

    /// <summary>The 95% Wilson interval of <see cref="TestError"/>, or null when the test set size is not recorded.</summary>
    public ErrorInterval? TestErrorInterval =>
        TestCount > 0 ? ErrorStatistics.Wilson((int)Math.Round(TestError * TestCount), TestCount) : null;

    /// <summary>Training throughput.</summary>
    public double ImagesPerSecond => TrainSeconds > 0 ? TrainImages / TrainSeconds : 0;
}

/// <summary>The epochs of one network's run.</summary>
/// <param name="Name">The network's name (e.g. <c>sparse</c>).</param>
/// <param name="Epochs">Completed epochs.</param>
/// <param name="Interrupted">True when the run stopped early (Ctrl-C) after saving a checkpoint.</param>
public sealed record RunHistory(string Name, IReadOnlyList<EpochRecord> Epochs, bool Interrupted)
{
    /// <summary>Mean training seconds per completed epoch.</summary>
    public double SecondsPerEpoch => Epochs.Count == 0 ? 0 : Epochs.Average(e => e.TrainSeconds);

    /// <summary>Mean training throughput.</summary>
    public double ImagesPerSecond => Epochs.Sum(e => e.TrainSeconds) is double s and > 0 ? Epochs.Sum(e => e.TrainImages) / s : 0;
}
