using System.Globalization;
using SpatiallySparse.Autograd;
using SpatiallySparse.Distributed;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Samples.Common;

/// <summary>
/// What the <see cref="Trainer"/> does differently under MPI (one replica per rank, <c>--distributed</c>): gradients
/// all-reduced by <see cref="DistributedDataParallel"/>, each batch's loss sums and the stop decision summed over the
/// ranks (so every rank holds the global <see cref="TrainingState"/> and all stop at the same batch), checkpoints
/// written by rank 0 and read by all. Without a session every call does what a single process does.
/// </summary>
internal sealed class TrainerParallel : IDisposable
{
    private readonly DistributedSession? _session;
    private readonly DistributedDataParallel? _ddp;
    private long _localImages;
    private double _localSeconds;

    public TrainerParallel(DistributedSession? session, ITrainable model)
    {
        _session = session;
        _ddp = session is null ? null : new DistributedDataParallel(model.Network, session);
    }

    /// <summary>Backward on a single process; on a rank, backward and the gradient all-reduce over the global batch.</summary>
    public void Backward(Tape tape, int localCount)
    {
        if (_ddp is null)
            tape.Backward();
        else
            _ddp.Backward(tape, localCount);
    }

    /// <summary>
    /// The batch's loss sum, correct count and sample count over all ranks, and whether any rank was asked to stop
    /// (Ctrl-C reaches the ranks at different moments: they must agree on the batch after which they all stop).
    /// </summary>
    public (double LossSum, int Correct, int Count, bool Stop) Sum(double lossSum, int correct, int count, double seconds, bool stop)
    {
        _localImages += count;
        _localSeconds += seconds;
        if (_session is null)
            return (lossSum, correct, count, stop);
        float[] sums = [(float)lossSum, correct, count, stop ? 1 : 0];
        _session.AllreduceSum(sums);
        return (sums[0], (int)sums[1], (int)sums[2], sums[3] > 0);
    }

    /// <summary>Starts (or resumes) on every rank, then gives all ranks rank 0's weights.</summary>
    public CheckpointRecord? Start(CheckpointManager store, bool resume, bool overrideSettings)
    {
        CheckpointRecord? record = store.Start(resume, overrideSettings);
        _ddp?.BroadcastFromRoot();
        return record;
    }

    /// <summary>Saves (rank 0 only under MPI, the others waiting until the file is complete).</summary>
    public string? Save(CheckpointManager store, int epoch, int step, IReadOnlyDictionary<string, string> metadata) =>
        _session is null ? store.Save(epoch, step, metadata) : DistributedCheckpoints.Save(_session, store, epoch, step, metadata);

    /// <summary>Under MPI, one line with each rank's and the job's training images per second in this epoch; resets the counts.</summary>
    public string? EpochThroughput()
    {
        if (_session is null)
            return null;
        int ranks = _session.WorldSize;
        float[] perRank = new float[2 * ranks];
        (perRank[2 * _session.Rank], perRank[2 * _session.Rank + 1]) = (_localImages, (float)_localSeconds);
        _session.AllreduceSum(perRank);
        (_localImages, _localSeconds) = (0, 0);
        double[] rates = [.. Enumerable.Range(0, ranks).Select(r => perRank[2 * r] / Math.Max(perRank[2 * r + 1], 1e-9))];
        // The ranks wait for each other in every all-reduce: the job runs at the pace of its slowest rank.
        double total = Enumerable.Range(0, ranks).Sum(r => perRank[2 * r]) / Enumerable.Range(0, ranks).Max(r => perRank[2 * r + 1]);
        return string.Create(CultureInfo.InvariantCulture, $"{ranks} ranks: {string.Join(", ", rates.Select((v, r) => $"rank {r} {v:0} img/s"))}; total {total:0} img/s");
    }

    public void Dispose() => _ddp?.Dispose();
}
