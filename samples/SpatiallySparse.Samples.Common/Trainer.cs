using System.Diagnostics;
using SpatiallySparse.Autograd;
using SpatiallySparse.Data;
using SpatiallySparse.Layers;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Samples.Common;

/// <summary>
/// The training loop shared by the samples: shuffled mini-batches, SGD, the test error after every epoch, a
/// checkpoint after every epoch (and on cancellation), exact resume, and progress display.
/// </summary>
public sealed class Trainer
{
    private readonly TrainerOptions _options;
    private readonly ITrainingReporter _reporter;
    private readonly CancellationToken _cancellation;

    // Reseeded every batch from Seeds.Mix; a checkpoint saves its state too, so any other use stays exact.
    private int _batchBudget;

    /// <summary>Creates a trainer; <paramref name="cancellation"/> (Ctrl-C) stops it after the current batch, saving first.</summary>
    public Trainer(TrainerOptions options, ITrainingReporter reporter, CancellationToken cancellation = default)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _reporter = reporter ?? throw new ArgumentNullException(nameof(reporter));
        _cancellation = cancellation;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Epochs);
    }

    /// <summary>Trains <paramref name="model"/> up to <see cref="TrainerOptions.Epochs"/> epochs.</summary>
    public RunHistory Run(ITrainable model)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckpointManager? store = TrainerCheckpoints.Create(_options, model);
        TrainingState state = Start(model, store);
        List<EpochRecord> history = [.. state.History];
        _batchBudget = _options.StopAfterBatches ?? int.MaxValue;
        while (state.Epoch < _options.Epochs)
        {
            state = TrainEpoch(model, state);
            if (state.NextBatch < BatchCount(model))
            {
                string? saved = store?.Save(state.Epoch, state.NextBatch, TrainerCheckpoints.Metadata(state));
                _reporter.WriteLine($"{model.Name}: stopped in epoch {state.Epoch + 1} before batch {state.NextBatch + 1}" + (saved is null ? " (no --checkpoint folder: nothing saved)." : $"; saved {saved}."));
                return new RunHistory(model.Name, history, Interrupted: true);
            }
            history.Add(FinishEpoch(model, state));
            state = new TrainingState { Epoch = state.Epoch + 1, History = [.. history] };
            store?.Save(state.Epoch, state.NextBatch, TrainerCheckpoints.Metadata(state));
        }
        return new RunHistory(model.Name, history, Interrupted: false);
    }

    /// <summary>Test error rate of <paramref name="model"/> on its whole test set (evaluation mode).</summary>
    public double Evaluate(ITrainable model)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Network.Eval();
        int wrong = 0;
        using SparseBatchLoader? loader = model.TestCount == 0 ? null : model.Loader(training: false, _options.BatchSize, _options.Seed);
        foreach (SparseBatch batch in loader?.Epoch(0) ?? [])
        {
            using (batch)
            {
                using Tape tape = new(recordGradients: false);
                LossResult result = SoftmaxCrossEntropy.Compute(model.Forward(batch, tape), batch.Labels!, tape);
                wrong += batch.Count - result.CountCorrect(batch.Labels!);
            }
        }
        model.Network.Train();
        return model.TestCount == 0 ? 0 : (double)wrong / model.TestCount;
    }

    private TrainingState Start(ITrainable model, CheckpointManager? store)
    {
        if (store?.Start(_options.Resume, _options.OverrideSettings) is not CheckpointRecord record)
            return new TrainingState();
        TrainingState state = TrainerCheckpoints.Read(record);
        _reporter.WriteLine($"{model.Name}: resumed from {record.Path} (epoch {state.Epoch + 1}, batch {state.NextBatch + 1}).");
        return state;
    }

    private int BatchCount(ITrainable model) => (model.TrainCount + _options.BatchSize - 1) / _options.BatchSize;

    private TrainingState TrainEpoch(ITrainable model, TrainingState state)
    {
        int batches = BatchCount(model), epoch = state.Epoch;
        model.Network.Train();
        if (batches == 0)
            return state;
        // The loader builds later batches on its workers while this thread trains; leaving the loop early disposes them.
        using SparseBatchLoader loader = model.Loader(training: true, _options.BatchSize, _options.Seed);
        _reporter.RunEpoch($"{model.Name} epoch {epoch + 1}/{_options.Epochs}", batches, report =>
        {
            foreach (SparseBatch batch in loader.Epoch(epoch, state.NextBatch))
            {
                using (batch)
                {
                    if (_cancellation.IsCancellationRequested || _batchBudget-- <= 0)
                        return;
                    state = TrainBatch(model, state, batch, Seeds.Mix(_options.Seed, epoch, batch.Index)) with { NextBatch = batch.Index + 1 };
                }
                report(new BatchStatus(state.NextBatch, batches, state.LossSum / state.Seen, state.Seen / state.Seconds));
            }
        });
        return state;
    }

    private static TrainingState TrainBatch(ITrainable model, TrainingState state, SparseBatch batch, int batchSeed)
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
        tape.Backward();
        model.Optimizer.Step();
        return state with
        {
            LossSum = state.LossSum + (double)loss.Value * indices.Length,
            Correct = state.Correct + loss.CountCorrect(labels),
            Seen = state.Seen + indices.Length,
            Seconds = state.Seconds + Stopwatch.GetElapsedTime(start).TotalSeconds,
        };
    }

    private EpochRecord FinishEpoch(ITrainable model, TrainingState state)
    {
        long start = Stopwatch.GetTimestamp();
        double testError = Evaluate(model);
        EpochRecord record = new(state.Epoch + 1, state.LossSum / state.Seen, 1 - (double)state.Correct / state.Seen, testError,
            state.Seconds, Stopwatch.GetElapsedTime(start).TotalSeconds, state.Seen);
        _reporter.WriteLine($"{model.Name} epoch {record.Epoch}: train loss {record.TrainLoss:0.0000}, train error {record.TrainError:P2}, " +
            $"test error {record.TestError:P2} ({model.TestCount} images), {record.TrainSeconds:0.0} s training ({record.ImagesPerSecond:0} img/s)");
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
