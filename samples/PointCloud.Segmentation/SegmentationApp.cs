using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SpatiallySparse;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Data;
using SpatiallySparse.Distributed;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;
using SpatiallySparse.Serialization;
using SpatiallySparse.Samples.Common;

namespace PointCloudSegmentation;

/// <summary>The outcome of a run on held-out scenes.</summary>
/// <param name="IoU">Per-class IoU.</param>
/// <param name="MeanIoU">Mean IoU.</param>
/// <param name="Accuracy">Voxel accuracy.</param>
/// <param name="PointsOutside">Points of held-out scenes that fell outside the grid.</param>
/// <param name="Seconds">Training time.</param>
public sealed record SegmentationResult(double[] IoU, double MeanIoU, double Accuracy, long PointsOutside, double Seconds)
{
    /// <summary>Loss of the last training batch this process ran (NaN when it ran none).</summary>
    public float LastLoss { get; init; } = float.NaN;

    /// <summary>True when --stop-after or a stop request (Ctrl-C) stopped training: nothing was evaluated.</summary>
    public bool Interrupted { get; init; }

    /// <summary>True when a stop request (Ctrl-C, on any rank) stopped training.</summary>
    public bool Cancelled { get; init; }

    /// <summary>Voxels of the held-out scenes that were evaluated (all ranks together).</summary>
    public long Voxels { get; init; }

    /// <summary>Mean training loss (over the global batches) of each epoch this process finished, in order.</summary>
    public IReadOnlyList<double> EpochLosses { get; init; } = [];

    /// <summary>The held-out voxels' confusion counts, row-major: label (row) by prediction (column), classes in <see cref="PrimitiveClass"/> order.</summary>
    public IReadOnlyList<long> Confusion { get; init; } = [];
}

/// <summary>Trains the submanifold U-Net on generated scenes and evaluates it on held-out ones.</summary>
public static class SegmentationApp
{
    /// <summary>
    /// Runs as <paramref name="options"/> say, writing results.json, results.md and the pictures; with a checkpoint
    /// folder, saves after every epoch (and where --stop-after or <paramref name="cancellation"/> stops), and on
    /// --resume continues from the newest. With <paramref name="session"/> this process is one rank of a
    /// data-parallel job: --batch is the global batch, split evenly over the ranks (each takes its shard of every
    /// batch), gradients are all-reduced, the held-out scenes are shared out, and rank 0 alone writes results and
    /// checkpoints.
    /// </summary>
    public static SegmentationResult Run(SegmentationOptions options, ITrainingReporter reporter, CancellationToken cancellation = default,
        DistributedSession? session = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(reporter);
        options.Check();
        int localBatch = TrainerParallel.LocalBatch(options.Batch, session), ranks = session?.WorldSize ?? 1;
        if (options.TrainScenes % options.Batch is int last and > 0 && last < ranks)
            throw new ArgumentException($"--train-scenes {options.TrainScenes} leaves a last batch of {last} scene(s) for {ranks} ranks: every rank needs one; use a multiple of --batch {options.Batch}.");
        using CpuBackend backend = new(options.Threads);
        SpatialSize size = SpatialSize.Cube(3, options.Resolution);
        Sequential<SparseTensor, SparseTensor> net = UNet.Create(new UNetOptions
        {
            Dimension = 3, InputChannels = VoxelFeatures.Count, Widths = options.Widths, Repetitions = options.Repetitions,
            Classes = Scene.ClassCount, Seed = options.Seed, BatchNorm = options.BatchNorm,
        });
        net.To(backend);
        using TrainerParallel parallel = new(session, net);
        // Cosine decay to 5 %: the last steps refine the object boundaries instead of jumping across them.
        using Adam adam = new(net.Parameters(), new CosineAnnealing(options.LearningRate, Math.Max(1, options.Epochs * BatchesPerEpoch(options)), options.LearningRate * 0.05f));
        CheckpointManager? store = SegmentationCheckpoints.Create(options, net, adam, session);
        (int epoch, int batch) = SegmentationCheckpoints.Start(store, options.Resume, parallel);
        long parameters = net.Parameters().Sum(p => (long)p.Rows * p.Columns);
        reporter.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"U-Net {string.Join("-", options.Widths)} x{options.Repetitions}{(options.BatchNorm ? "" : " without batch norm")} ({parameters:N0} parameters, {4e-6 * parameters:0.00} MB of gradients per step) on {size}, ") +
            $"{options.TrainScenes} training scenes per epoch, {options.TestScenes} held-out, batch {options.Batch}" + (session is null ? "" : $" ({ranks} ranks x {localBatch})") +
            (epoch + batch > 0 ? $", resumed at epoch {epoch + 1} batch {batch + 1}." : "."));
        Stopwatch clock = Stopwatch.StartNew();
        List<double> epochLosses = [];
        (float lastLoss, bool stopped, bool cancelled) = Train(net, adam, store, options, (epoch, batch), localBatch, backend, parallel, TrainerParallel.Shard(session), reporter, cancellation, epochLosses);
        double seconds = clock.Elapsed.TotalSeconds;
        if (stopped)
            return new SegmentationResult([], double.NaN, double.NaN, 0, seconds) { LastLoss = lastLoss, Interrupted = true, Cancelled = cancelled, EpochLosses = epochLosses };
        SegmentationResult result = Evaluate(net, new SceneGenerator(options.Resolution, options.Seed), options, size, backend, parallel, session)
            with { Seconds = seconds, LastLoss = lastLoss, EpochLosses = epochLosses };
        if (session is not { IsRoot: false })
            Write(options, result, reporter);
        return result;
    }

    private static int BatchesPerEpoch(SegmentationOptions o) => (o.TrainScenes + o.Batch - 1) / o.Batch;

    /// <summary>
    /// Trains from (epoch, batch) on, adding each finished epoch's mean loss to <paramref name="epochLosses"/>; returns
    /// the last global batch's loss, whether --stop-after or a stop request stopped it (after saving a checkpoint
    /// where it stopped), and whether it was a stop request.
    /// </summary>
    private static (float LastLoss, bool Stopped, bool Cancelled) Train(Sequential<SparseTensor, SparseTensor> net, Adam adam, CheckpointManager? store,
        SegmentationOptions o, (int Epoch, int Batch) from, int localBatch, CpuBackend backend, TrainerParallel parallel, LoaderShard? shard,
        ITrainingReporter reporter, CancellationToken cancellation, List<double> epochLosses)
    {
        SceneGenerator generator = new(o.Resolution, o.Seed);
        using Tape tape = new();
        float loss = float.NaN;
        int budget = o.StopAfter > 0 ? o.StopAfter : int.MaxValue, batches = BatchesPerEpoch(o);
        bool stop = false;
        Stopwatch clock = Stopwatch.StartNew();
        (float, bool, bool) StopAt(int epoch, int b)
        {
            string? saved = store is null ? null : parallel.Save(store, epoch, b);
            reporter.WriteLine($"stopped in epoch {epoch + 1} before batch {b + 1}" + (saved is null ? " (no --checkpoint: nothing saved)." : $"; saved {saved}."));
            return (loss, true, stop);
        }

        for (int epoch = from.Epoch; epoch < o.Epochs; epoch++)
        {
            double lossSum = 0, seconds = 0;
            long scenes = 0, voxels = 0;
            int trained = 0;
            using SceneBatches data = new(o, generator, epoch, localBatch, shard, backend, net);
            foreach (SparseBatch batch in data.Loader.Epoch(epoch, epoch == from.Epoch ? from.Batch : 0))
            {
                using (batch)
                {
                    if (budget-- == 0)
                        return StopAt(epoch, batch.Index);
                    long start = Stopwatch.GetTimestamp();
                    int[] labels = data.Labels(batch);
                    net.ZeroGrad();
                    float local = SiteSoftmaxCrossEntropy.Compute(net.Forward(batch.Tensor, tape), labels, tape, []);
                    // The loss is a mean over this process's voxels: the global gradient weighs each rank by its voxel count.
                    parallel.Backward(tape, labels.Length);
                    adam.Step();
                    tape.Reset();
                    // The global batch's loss, scene and voxel counts, and whether any rank was asked to stop (Ctrl-C).
                    float[] sums = [local * labels.Length, labels.Length, batch.Count, cancellation.IsCancellationRequested ? 1 : 0];
                    parallel.SumOverRanks(sums);
                    double stepSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    parallel.CountStep(batch.Count, labels.Length, stepSeconds);
                    loss = sums[0] / sums[1];
                    (lossSum, seconds, voxels, scenes, stop, trained) = (lossSum + loss, seconds + stepSeconds, voxels + (long)sums[1], scenes + (long)sums[2], sums[3] > 0, trained + 1);
                }
                if (stop && batch.Index + 1 < batches)
                    return StopAt(epoch, batch.Index + 1);
            }
            if (store is not null)
                parallel.Save(store, epoch + 1, 0);
            string throughput = parallel.EpochThroughput("scenes", "voxels")
                ?? $"{TrainerParallel.Format(scenes / Math.Max(seconds, 1e-9), "scenes")} ({TrainerParallel.Format(voxels / Math.Max(seconds, 1e-9), "voxels")})";
            epochLosses.Add(lossSum / Math.Max(1, trained));
            reporter.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1}: mean loss {epochLosses[^1]:F4} ({clock.Elapsed.TotalSeconds:F0} s); {seconds:F1} s training, {throughput}"));
            if (stop && epoch + 1 < o.Epochs)
            {
                reporter.WriteLine($"stopped after epoch {epoch + 1}" + (store is null ? " (no --checkpoint: nothing saved)." : "; its checkpoint is saved."));
                return (loss, true, true);
            }
        }
        return (loss, false, false);
    }

    /// <summary>The network input: the <see cref="VoxelFeatures"/> of every active voxel, scenes in order.</summary>
    internal static SparseTensor Input(VoxelScene[] scenes, SpatialSize size, CpuBackend backend, Tape tape)
    {
        SparseInput input = new(scenes.Length, 3, VoxelFeatures.Count);
        for (int b = 0; b < scenes.Length; b++)
            VoxelFeatures.Add(input, b, scenes[b], size[0]);
        return new InputLayer(size).Forward(input, backend, tape);
    }

    /// <summary>Evaluates on the held-out scenes; under MPI rank r takes scenes r, r + N, ... and the confusion counts are summed (rank 0 draws scene 0).</summary>
    private static SegmentationResult Evaluate(Sequential<SparseTensor, SparseTensor> net, SceneGenerator generator, SegmentationOptions o,
        SpatialSize size, CpuBackend backend, TrainerParallel parallel, DistributedSession? session)
    {
        SegmentationMetrics metrics = new();
        long outside = 0;
        net.Eval();
        for (int i = session?.Rank ?? 0; i < o.TestScenes; i += session?.WorldSize ?? 1)
        {
            VoxelScene scene = Voxelizer.Voxelize(generator.Generate(SegmentationOptions.HeldOutFirstIndex + i), o.Resolution);
            outside += scene.PointsOutside;
            int[] predictions = Predict(net, scene, size, backend);
            for (int v = 0; v < scene.Count; v++)
                metrics.Add(scene.Labels[v], predictions[v]);
            if (i == 0)
            {
                SegmentationImages.WriteSlice(Path.Combine(o.Out, "prediction.png"), scene, predictions, o.Resolution, o.SliceHeight < 0 ? o.Resolution / 5 : o.SliceHeight);
                SegmentationImages.WriteSide(Path.Combine(o.Out, "prediction-side.png"), scene, predictions, o.Resolution);
            }
        }
        net.Train();
        long[] counts = [.. metrics.Counts(), outside];
        parallel.SumOverRanks(counts);
        metrics.SetCounts(counts.AsSpan(0, counts.Length - 1));
        return new SegmentationResult(metrics.IoU(), metrics.MeanIoU(), metrics.Accuracy(), counts[^1], 0) { Voxels = counts[..^1].Sum(), Confusion = counts[..^1] };
    }

    /// <summary>Arg-max class per voxel, in evaluation mode.</summary>
    internal static int[] Predict(Sequential<SparseTensor, SparseTensor> net, VoxelScene scene, SpatialSize size, CpuBackend backend)
    {
        using Tape tape = new(recordGradients: false);
        SparseTensor logits = net.Forward(Input([scene], size, backend, tape), tape);
        int[] predictions = new int[scene.Count];
        SiteSoftmaxCrossEntropy.Compute(logits, scene.Labels, tape, predictions);
        return predictions;
    }

    private static void Write(SegmentationOptions o, SegmentationResult r, ITrainingReporter reporter)
    {
        Directory.CreateDirectory(o.Out);
        string[] names = Enum.GetNames<PrimitiveClass>();
        File.WriteAllText(Path.Combine(o.Out, "results.json"), JsonSerializer.Serialize(new
        {
            Provenance = RunProvenance.Current(), o.Resolution, o.TrainScenes, o.TestScenes, o.Epochs, o.Batch, o.LearningRate, o.Widths, o.BatchNorm, o.Seed, TrainingSeconds = r.Seconds,
            IoU = names.Zip(r.IoU).ToDictionary(p => p.First, p => p.Second), r.MeanIoU, r.Accuracy, r.Voxels, r.PointsOutside, r.EpochLosses,
            Confusion = names.Select((label, i) => new { Label = label, Predicted = names.Select((n, j) => (n, r.Confusion[(i * names.Length) + j])).ToDictionary(p => p.n, p => p.Item2) }),
        }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        string table = "| class | IoU |\n| --- | --- |\n" + string.Concat(names.Zip(r.IoU).Select(p => string.Create(CultureInfo.InvariantCulture, $"| {p.First} | {p.Second:P1} |\n")));
        string markdown = string.Create(CultureInfo.InvariantCulture,
            $"# Point-cloud segmentation, U-Net {string.Join("-", o.Widths)} at {o.Resolution}^3\n\n{table}\nmIoU {r.MeanIoU:P1}, accuracy {r.Accuracy:P1} on {o.TestScenes} held-out scenes ({r.Voxels} voxels; {r.PointsOutside} points outside the grid).\n\n{ConfusionTable(names, r.Confusion)}");
        File.WriteAllText(Path.Combine(o.Out, "results.md"), markdown);
        reporter.WriteLine(markdown);
    }

    /// <summary>Held-out voxels by label (rows) and prediction (columns): which classes the network mistakes for which.</summary>
    private static string ConfusionTable(string[] names, IReadOnlyList<long> confusion)
    {
        if (confusion.Count != names.Length * names.Length)
            return "";
        StringBuilder md = new("| voxels: label \\ predicted | " + string.Join(" | ", names) + " |\n| --- |" + string.Concat(names.Select(_ => " ---: |")) + "\n");
        for (int i = 0; i < names.Length; i++)
            md.Append(CultureInfo.InvariantCulture, $"| {names[i]} | {string.Join(" | ", Enumerable.Range(0, names.Length).Select(j => confusion[(i * names.Length) + j]))} |\n");
        return md.ToString();
    }
}
