using System.Globalization;
using SpatiallySparse.Autograd;
using SpatiallySparse.Distributed;
using SpatiallySparse.Layers;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Samples.Common;

/// <summary>
/// What a sample's training loop does differently under MPI (one replica per rank, <c>--distributed</c>): the
/// global batch split evenly over the ranks (<see cref="LocalBatch"/>, <see cref="Shard"/>), gradients all-reduced
/// by <see cref="DistributedDataParallel"/>, each batch's sums and the stop decision summed over the ranks (so every
/// rank holds the global figures and all stop at the same batch), checkpoints written by rank 0 and read by all, and
/// each rank's and the job's throughput. Without a session every call does what a single process does. The common
/// <see cref="Trainer"/> uses it, and so does a sample with a training loop of its own (PointCloud.Segmentation).
/// </summary>
public sealed class TrainerParallel : IDisposable
{
    private readonly DistributedSession? _session;
    private readonly DistributedDataParallel? _ddp;
    private long _localSamples, _localPoints;
    private double _localSeconds;

    /// <summary>Wraps <paramref name="network"/> for data-parallel training when <paramref name="session"/> is given (broadcasting rank 0's weights).</summary>
    public TrainerParallel(DistributedSession? session, Module network)
    {
        ArgumentNullException.ThrowIfNull(network);
        _session = session;
        _ddp = session is null ? null : new DistributedDataParallel(network, session);
    }

    /// <summary>
    /// This process's share of a global batch of <paramref name="globalBatch"/> samples: all of it on a single
    /// process, an equal part on each rank.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is not a multiple of the number of ranks.</exception>
    public static int LocalBatch(int globalBatch, DistributedSession? session)
    {
        int ranks = session?.WorldSize ?? 1;
        if (globalBatch % ranks != 0)
            throw new ArgumentException($"--batch {globalBatch} is not divisible by the {ranks} ranks of this job: the global batch is split evenly over the ranks; use a multiple of {ranks}.");
        return globalBatch / ranks;
    }

    /// <summary>This rank's share of every batch (the loader's <c>ShardCount</c>/<c>ShardIndex</c>); null on a single process.</summary>
    public static LoaderShard? Shard(DistributedSession? session) => session is null ? null : new LoaderShard(session.WorldSize, session.Rank);

    /// <summary>Backward on a single process; on a rank, backward and the gradient all-reduce over the global batch.</summary>
    /// <param name="tape">The step's tape, ending in a mean loss over this process's terms.</param>
    /// <param name="localCount">The number of terms of that mean: samples, or sites for a per-site loss.</param>
    public void Backward(Tape tape, int localCount)
    {
        if (_ddp is null)
            tape.Backward();
        else
            _ddp.Backward(tape, localCount);
    }

    /// <summary>Sums <paramref name="values"/> element-wise over the ranks, in place (nothing to do on a single process).</summary>
    public void SumOverRanks(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _session?.AllreduceSum(values);
    }

    /// <summary>
    /// Sums non-negative counts over the ranks, in place and exactly (the all-reduce carries floats, exact only to
    /// 2^24: each count travels as two 20-bit halves, exact for up to 16 ranks).
    /// </summary>
    public void SumOverRanks(long[] counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (_session is null)
            return;
        if (_session.WorldSize > 16)
            throw new NotSupportedException($"Exact count sums are implemented for up to 16 ranks, not {_session.WorldSize}.");
        const int Bits = 20;
        float[] halves = new float[2 * counts.Length];
        for (int i = 0; i < counts.Length; i++)
        {
            if (counts[i] is < 0 or >= 1L << (2 * Bits))
                throw new ArgumentOutOfRangeException(nameof(counts), counts[i], $"Count {i} is {counts[i]}; accepted: 0..2^{2 * Bits} - 1.");
            (halves[2 * i], halves[2 * i + 1]) = (counts[i] >> Bits, counts[i] & ((1L << Bits) - 1));
        }
        _session.AllreduceSum(halves);
        for (int i = 0; i < counts.Length; i++)
            counts[i] = ((long)halves[2 * i] << Bits) + (long)halves[2 * i + 1];
    }

    /// <summary>
    /// Counts one training step of this process for <see cref="EpochThroughput"/>: its samples, their points (sites)
    /// and its seconds, the whole step including its all-reduces (the waits for slower ranks among them).
    /// </summary>
    public void CountStep(int samples, long points, double seconds)
    {
        _localSamples += samples;
        _localPoints += points;
        _localSeconds += seconds;
    }

    /// <summary>
    /// The batch's loss sum, correct count and sample count over all ranks, and whether any rank was asked to stop
    /// (Ctrl-C reaches the ranks at different moments: they must agree on the batch after which they all stop).
    /// </summary>
    public (double LossSum, int Correct, int Count, bool Stop) Sum(double lossSum, int correct, int count, bool stop)
    {
        if (_session is null)
            return (lossSum, correct, count, stop);
        float[] sums = [(float)lossSum, correct, count, stop ? 1 : 0];
        SumOverRanks(sums);
        return (sums[0], (int)sums[1], (int)sums[2], sums[3] > 0);
    }

    /// <summary>Starts (or resumes) on every rank, then gives all ranks rank 0's weights.</summary>
    public CheckpointRecord? Start(CheckpointManager store, bool resume, bool overrideSettings = false)
    {
        ArgumentNullException.ThrowIfNull(store);
        CheckpointRecord? record = store.Start(resume, overrideSettings);
        _ddp?.BroadcastFromRoot();
        return record;
    }

    /// <summary>Saves (rank 0 only under MPI, the others waiting until the file is complete).</summary>
    public string? Save(CheckpointManager store, int epoch, int step, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        return _session is null ? store.Save(epoch, step, metadata) : DistributedCheckpoints.Save(_session, store, epoch, step, metadata);
    }

    /// <summary>
    /// Under MPI, one line with each rank's and the job's training throughput since the last call, in
    /// <paramref name="unit"/> per second (and <paramref name="pointUnit"/> per second when given, from the points
    /// that <see cref="CountStep"/> counted); resets the counts. Null on a single process.
    /// </summary>
    public string? EpochThroughput(string unit = "img", string? pointUnit = null)
    {
        if (_session is null)
            return null;
        int ranks = _session.WorldSize;
        // Samples, points and seconds of every rank, in that rank's slots (float: exact to 2^24 samples or points per rank and epoch, plenty for a rate).
        float[] perRank = new float[3 * ranks];
        (perRank[3 * _session.Rank], perRank[3 * _session.Rank + 1], perRank[3 * _session.Rank + 2]) = (_localSamples, _localPoints, (float)_localSeconds);
        _session.AllreduceSum(perRank);
        (_localSamples, _localPoints, _localSeconds) = (0, 0, 0);
        int[] all = [.. Enumerable.Range(0, ranks)];
        string Rates(double samples, double points, double seconds) => pointUnit is null
            ? Format(samples / Math.Max(seconds, 1e-9), unit)
            : $"{Format(samples / Math.Max(seconds, 1e-9), unit)} ({Format(points / Math.Max(seconds, 1e-9), pointUnit)})";
        IEnumerable<string> each = all.Select(r => $"rank {r} " + Rates(perRank[3 * r], perRank[3 * r + 1], perRank[3 * r + 2]));
        // The ranks wait for each other in every all-reduce: the job runs at the pace of its slowest rank.
        string total = Rates(all.Sum(r => (double)perRank[3 * r]), all.Sum(r => (double)perRank[3 * r + 1]), all.Max(r => perRank[3 * r + 2]));
        return $"{ranks} ranks: {string.Join(", ", each)}; total {total}";
    }

    /// <summary>A rate for display with three significant digits or more: 1234, 12.3, 1.23 (a few scenes per second).</summary>
    public static string Format(double perSecond, string unit) =>
        perSecond.ToString(perSecond >= 100 ? "0" : perSecond >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture) + $" {unit}/s";

    /// <summary>Stops the gradient communication thread.</summary>
    public void Dispose() => _ddp?.Dispose();
}
