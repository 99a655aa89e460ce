using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SpatiallySparse;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
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

    /// <summary>True when --stop-after stopped training: nothing was evaluated.</summary>
    public bool Interrupted { get; init; }
}

/// <summary>Trains the submanifold U-Net on generated scenes and evaluates it on held-out ones.</summary>
public static class SegmentationApp
{
    /// <summary>
    /// Runs as <paramref name="options"/> say, writing results.json, results.md and the pictures; with a checkpoint
    /// folder, saves after every epoch (and where --stop-after stops), and on --resume continues from the newest.
    /// </summary>
    public static SegmentationResult Run(SegmentationOptions options, ITrainingReporter reporter)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(reporter);
        options.Check();
        using CpuBackend backend = new(options.Threads);
        SpatialSize size = SpatialSize.Cube(3, options.Resolution);
        Sequential<SparseTensor, SparseTensor> net = UNet.Create(new UNetOptions
        {
            Dimension = 3, InputChannels = VoxelFeatures.Count, Widths = options.Widths, Repetitions = options.Repetitions,
            Classes = Scene.ClassCount, Seed = options.Seed,
        });
        net.To(backend);
        // Cosine decay to 5 %: the last steps refine the object boundaries instead of jumping across them.
        using Adam adam = new(net.Parameters(), new CosineAnnealing(options.LearningRate, Math.Max(1, options.Epochs * BatchesPerEpoch(options)), options.LearningRate * 0.05f));
        CheckpointManager? store = SegmentationCheckpoints.Create(options, net, adam);
        (int epoch, int batch) = SegmentationCheckpoints.Start(store, options.Resume);
        reporter.WriteLine($"U-Net {string.Join("-", options.Widths)} x{options.Repetitions} on {size}, {options.TrainScenes} training scenes per epoch, {options.TestScenes} held-out, batch {options.Batch}" +
            (epoch + batch > 0 ? $", resumed at epoch {epoch + 1} batch {batch + 1}." : "."));
        Stopwatch clock = Stopwatch.StartNew();
        (float lastLoss, bool stopped) = Train(net, adam, store, options, (epoch, batch), size, backend, reporter);
        double seconds = clock.Elapsed.TotalSeconds;
        if (stopped)
            return new SegmentationResult([], double.NaN, double.NaN, 0, seconds) { LastLoss = lastLoss, Interrupted = true };
        SegmentationResult result = Evaluate(net, new SceneGenerator(options.Resolution, options.Seed), options, size, backend);
        Write(options, result, reporter);
        return result with { Seconds = seconds, LastLoss = lastLoss };
    }

    private static int BatchesPerEpoch(SegmentationOptions o) => (o.TrainScenes + o.Batch - 1) / o.Batch;

    /// <summary>Trains from (epoch, batch) on; returns the last batch's loss and whether --stop-after stopped it.</summary>
    private static (float LastLoss, bool Stopped) Train(Sequential<SparseTensor, SparseTensor> net, Adam adam, CheckpointManager? store,
        SegmentationOptions o, (int Epoch, int Batch) from, SpatialSize size, CpuBackend backend, ITrainingReporter reporter)
    {
        SceneGenerator generator = new(o.Resolution, o.Seed);
        using Tape tape = new();
        float loss = float.NaN;
        int budget = o.StopAfter > 0 ? o.StopAfter : int.MaxValue;
        Stopwatch clock = Stopwatch.StartNew();
        for (int epoch = from.Epoch; epoch < o.Epochs; epoch++)
        {
            double lossSum = 0;
            int batches = 0;
            for (int b = epoch == from.Epoch ? from.Batch : 0; b < BatchesPerEpoch(o); b++, batches++)
            {
                if (budget-- == 0)
                {
                    string? saved = store?.Save(epoch, b);
                    reporter.WriteLine($"stopped in epoch {epoch + 1} before batch {b + 1}" + (saved is null ? " (no --checkpoint: nothing saved)." : $"; saved {saved}."));
                    return (loss, true);
                }
                int first = b * o.Batch;
                VoxelScene[] scenes = [.. Enumerable.Range(epoch * o.TrainScenes + first, Math.Min(o.Batch, o.TrainScenes - first))
                    .Select(i => Voxelizer.Voxelize(generator.Generate(i), o.Resolution))];
                net.ZeroGrad();
                SparseTensor logits = net.Forward(Input(scenes, size, backend, tape), tape);
                loss = SiteSoftmaxCrossEntropy.Compute(logits, [.. scenes.SelectMany(s => s.Labels)], tape, []);
                lossSum += loss;
                tape.Backward();
                adam.Step();
                tape.Reset();
            }
            store?.Save(epoch + 1, 0);
            reporter.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1}: mean loss {lossSum / Math.Max(1, batches):F4} ({clock.Elapsed.TotalSeconds:F0} s)"));
        }
        return (loss, false);
    }

    /// <summary>The network input: the <see cref="VoxelFeatures"/> of every active voxel, scenes in order.</summary>
    internal static SparseTensor Input(VoxelScene[] scenes, SpatialSize size, CpuBackend backend, Tape tape)
    {
        int total = scenes.Sum(s => s.Count);
        int[] samples = new int[total];
        int at = 0;
        for (int b = 0; b < scenes.Length; b++)
            for (int i = 0; i < scenes[b].Count; i++)
                samples[at++] = b;
        float[] features = [.. scenes.SelectMany(s => VoxelFeatures.Compute(s, size[0]))];
        SparseInput input = SparseInput.FromArrays(scenes.Length, 3, VoxelFeatures.Count, samples, [.. scenes.SelectMany(s => s.Coordinates)], features);
        return new InputLayer(size).Forward(input, backend, tape);
    }

    private static SegmentationResult Evaluate(Sequential<SparseTensor, SparseTensor> net, SceneGenerator generator, SegmentationOptions o,
        SpatialSize size, CpuBackend backend)
    {
        SegmentationMetrics metrics = new();
        long outside = 0;
        net.Eval();
        for (int i = 0; i < o.TestScenes; i++)
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
        return new SegmentationResult(metrics.IoU(), metrics.MeanIoU(), metrics.Accuracy(), outside, 0);
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
            o.Resolution, o.TrainScenes, o.TestScenes, o.Epochs, o.Batch, o.LearningRate, o.Widths, o.Seed,
            IoU = names.Zip(r.IoU).ToDictionary(p => p.First, p => p.Second), r.MeanIoU, r.Accuracy, r.PointsOutside,
        }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        string table = "| class | IoU |\n| --- | --- |\n" + string.Concat(names.Zip(r.IoU).Select(p => string.Create(CultureInfo.InvariantCulture, $"| {p.First} | {p.Second:P1} |\n")));
        string markdown = string.Create(CultureInfo.InvariantCulture,
            $"# Point-cloud segmentation, U-Net {string.Join("-", o.Widths)} at {o.Resolution}^3\n\n{table}\nmIoU {r.MeanIoU:P1}, accuracy {r.Accuracy:P1} on {o.TestScenes} held-out scenes ({r.PointsOutside} points outside the grid).\n");
        File.WriteAllText(Path.Combine(o.Out, "results.md"), markdown);
        reporter.WriteLine(markdown);
    }
}
