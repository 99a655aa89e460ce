using System.Diagnostics;
using SpatiallySparse.Autograd;
using SpatiallySparse.Data;
using SpatiallySparse.Distributed;
using SpatiallySparse.Layers;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Samples.Common;

/// <summary>
/// The training loop shared by the samples: shuffled mini-batches, SGD, the test error after every epoch, a
/// checkpoint after every epoch (and on cancellation), exact resume, and progress display. With a
/// <see cref="DistributedSession"/> it is one rank of a data-parallel job: <see cref="TrainerOptions.BatchSize"/>
/// is the global batch, split evenly over the ranks, and every rank holds the global statistics.
/// </summary>
public sealed class Trainer
{
    private readonly TrainerOptions _options;
    private readonly ITrainingReporter _reporter;
    private readonly CancellationToken _cancellation;
    private readonly DistributedSession? _session;

    // Reseeded every batch from Seeds.Mix; a checkpoint saves its state too, so any other use stays exact.
    private int _batchBudget;

    /// <summary>
    /// Creates a trainer; <paramref name="cancellation"/> (Ctrl-C) stops it after the current batch, saving first.
    /// With <paramref name="session"/>, this process trains as one rank of an MPI job.
    /// </summary>
    /// <exception cref="ArgumentException">The batch size is not a multiple of the number of ranks.</exception>
    public Trainer(TrainerOptions options, ITrainingReporter reporter, CancellationToken cancellation = default, DistributedSession? session = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _reporter = reporter ?? throw new ArgumentNullException(nameof(reporter));
        _cancellation = cancellation;
        _session = session;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Epochs);
        LocalBatch = TrainerParallel.LocalBatch(options.BatchSize, session);
    }

    /// <summary>This rank's share of every batch (null on a single process).</summary>
    private LoaderShard? Shard => TrainerParallel.Shard(_session);

    /// <summary>Samples per batch that this process's loader builds.</summary>
    private int LocalBatch { get; }

    /// <summary>Trains <paramref name="model"/> up to <see cref="TrainerOptions.Epochs"/> epochs.</summary>
    public RunHistory Run(ITrainable model)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckpointManager? store = TrainerCheckpoints.Create(_options, model);
        using TrainerParallel parallel = new(_session, model.Network);
        TrainingState state = Start(model, store, parallel);
        List<EpochRecord> history = [.. state.History];
        _batchBudget = _options.StopAfterBatches ?? int.MaxValue;
        while (state.Epoch < _options.Epochs)
        {
            state = TrainEpoch(model, state, parallel);
            if (state.NextBatch < BatchCount(model))
            {
                string? saved = store is null ? null : parallel.Save(store, state.Epoch, state.NextBatch, TrainerCheckpoints.Metadata(state));
                _reporter.WriteLine($"{model.Name}: stopped in epoch {state.Epoch + 1} before batch {state.NextBatch + 1}" + (saved is null ? " (no --checkpoint folder: nothing saved)." : $"; saved {saved}."));
                return new RunHistory(model.Name, history, Interrupted: true);
            }
            history.Add(FinishEpoch(model, state, parallel));
            state = new TrainingState { Epoch = state.Epoch + 1, History = [.. history] };
            if (store is not null)
                parallel.Save(store, state.Epoch, state.NextBatch, TrainerCheckpoints.Metadata(state));
        }
        return new RunHistory(model.Name, history, Interrupted: false);
    }

    /// <summary>Test error rate of <paramref name="model"/> on its whole test set (evaluation mode; under MPI each rank takes its shard of every batch).</summary>
    public double Evaluate(ITrainable model) => EvaluateWithMistakes(model).Error;

    /// <summary>
    /// The test error rate and, on a single process, the sorted indices of the misclassified test samples (the
    /// paired comparisons of the result tables need them); under MPI the indices are null (each rank sees only
    /// its shard, and the error alone is summed).
    /// </summary>
    public (double Error, int[]? Mistakes) EvaluateWithMistakes(ITrainable model)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Network.Eval();
        List<int> mistakes = [];
        using SparseBatchLoader? loader = model.TestCount == 0 ? null : model.Loader(training: false, LocalBatch, _options.Seed, Shard);
        foreach (SparseBatch batch in loader?.Epoch(0) ?? [])
        {
            using (batch)
            {
                using Tape tape = new(recordGradients: false);
                LossResult result = SoftmaxCrossEntropy.Compute(model.Forward(batch, tape), batch.Labels!, tape);
                for (int i = 0; i < batch.Count; i++)
                    if (result.Predictions[i] != batch.Labels![i])
                        mistakes.Add(batch.Indices[i]);
            }
        }
        model.Network.Train();
        int wrong = mistakes.Count;
        if (_session is not null)
        {
            float[] sum = [wrong];
            _session.AllreduceSum(sum);
            wrong = (int)sum[0];
        }
        mistakes.Sort();
        return (model.TestCount == 0 ? 0 : (double)wrong / model.TestCount, _session is null ? [.. mistakes] : null);
    }

    private TrainingState Start(ITrainable model, CheckpointManager? store, TrainerParallel parallel)
    {
        if (store is null || parallel.Start(store, _options.Resume, _options.OverrideSettings) is not CheckpointRecord record)
            return new TrainingState();
        TrainingState state = TrainerCheckpoints.Read(record);
        _reporter.WriteLine($"{model.Name}: resumed from {record.Path} (epoch {state.Epoch + 1}, batch {state.NextBatch + 1}).");
        return state;
    }

    private int BatchCount(ITrainable model) => (model.TrainCount + _options.BatchSize - 1) / _options.BatchSize;

    private TrainingState TrainEpoch(ITrainable model, TrainingState state, TrainerParallel parallel)
    {
        int batches = BatchCount(model), epoch = state.Epoch;
        model.Network.Train();
        if (batches == 0)
            return state;
        // The loader builds later batches on its workers while this thread trains; leaving the loop early disposes them.
        using SparseBatchLoader loader = model.Loader(training: true, LocalBatch, _options.Seed, Shard);
        bool stop = false;
        _reporter.RunEpoch($"{model.Name} epoch {epoch + 1}/{_options.Epochs}", batches, report =>
        {
            foreach (SparseBatch batch in loader.Epoch(epoch, state.NextBatch))
            {
                using (batch)
                {
                    // Under MPI the ranks decide together (after the previous batch) so that none waits alone in an all-reduce.
                    if ((_session is null && _cancellation.IsCancellationRequested) || stop || _batchBudget-- <= 0)
                        return;
                    (state, stop) = TrainBatch(model, state, batch, BatchSeed(epoch, batch.Index), parallel);
                    state = state with { NextBatch = batch.Index + 1 };
                }
                report(new BatchStatus(state.NextBatch, batches, state.LossSum / state.Seen, state.Seen / state.Seconds));
            }
        });
        return state;
    }

    /// <summary>The dropout seed of a batch; under MPI each rank's shard gets masks of its own (one seed would repeat rank 0's masks on every rank).</summary>
    private int BatchSeed(int epoch, int batch) =>
        _session is null ? Seeds.Mix(_options.Seed, epoch, batch) : Seeds.Mix(Seeds.Mix(_options.Seed, epoch, batch), _session.Rank, 2);

    private (TrainingState State, bool Stop) TrainBatch(ITrainable model, TrainingState state, SparseBatch batch, int batchSeed, TrainerParallel parallel)
    {
        ReseedDropout(model.Network, batchSeed);
        long start = Stopwatch.GetTimestamp();
        int[] labels = batch.Labels!, indices = batch.Indices;
        using Tape tape = new();
        LossResult loss = SoftmaxCrossEntropy.Compute(model.Forward(batch, tape), labels, tape);
        if (!float.IsFinite(loss.Value))
            throw new InvalidOperationException($"{model.Name}: the training loss became {loss.Value} in epoch {state.Epoch + 1}, batch {batch.Index + 1}; " +
                NonFiniteDiagnosis.Explain(model.Network));
        model.Optimizer.ZeroGrad();
        parallel.Backward(tape, indices.Length);
        model.Optimizer.Step();
        (double lossSum, int correct, int count, bool stop) = parallel.Sum((double)loss.Value * indices.Length, loss.CountCorrect(labels), indices.Length,
            _cancellation.IsCancellationRequested);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        parallel.CountStep(indices.Length, 0, seconds);
        return (state with
        {
            LossSum = state.LossSum + lossSum,
            Correct = state.Correct + correct,
            Seen = state.Seen + count,
            Seconds = state.Seconds + seconds,
        }, stop);
    }

    private EpochRecord FinishEpoch(ITrainable model, TrainingState state, TrainerParallel parallel)
    {
        long start = Stopwatch.GetTimestamp();
        (double testError, int[]? mistakes) = EvaluateWithMistakes(model);
        EpochRecord record = new(state.Epoch + 1, state.LossSum / state.Seen, 1 - (double)state.Correct / state.Seen, testError,
            state.Seconds, Stopwatch.GetElapsedTime(start).TotalSeconds, state.Seen)
        { TestCount = model.TestCount, TestMistakes = mistakes };
        _reporter.WriteLine($"{model.Name} epoch {record.Epoch}: train loss {record.TrainLoss:0.0000}, train error {record.TrainError:P2}, " +
            $"test error {record.TestError:P2} ({model.TestCount} images), {record.TrainSeconds:0.0} s training ({record.ImagesPerSecond:0} img/s)");
        if (parallel.EpochThroughput() is string throughput)
            _reporter.WriteLine($"{model.Name} epoch {record.Epoch}: {throughput}");
        return record;
    }

    /// <summary>Gives every reseedable (dropout) layer a seed derived from the batch seed, in module order (sparse and dense nets alike).</summary>
    private static void ReseedDropout(Module network, int batchSeed)
    {
        int index = 0;
        Visit(network);

        void Visit(Module m)
        {
            if (m is IReseedable dropout)
                dropout.Reseed(Seeds.Mix(batchSeed, index++, 1));
            foreach (Module child in m.Children)
                Visit(child);
        }
    }
}
