using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SpatiallySparse;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;
using SpatiallySparse.Samples.Common;

namespace PointCloudSegmentation;

/// <summary>The outcome of a run on held-out scenes.</summary>
/// <param name="IoU">Per-class IoU.</param>
/// <param name="MeanIoU">Mean IoU.</param>
/// <param name="Accuracy">Voxel accuracy.</param>
/// <param name="PointsOutside">Points of held-out scenes that fell outside the grid.</param>
/// <param name="Seconds">Training time.</param>
public sealed record SegmentationResult(double[] IoU, double MeanIoU, double Accuracy, long PointsOutside, double Seconds);

/// <summary>Trains the submanifold U-Net on generated scenes and evaluates it on held-out ones.</summary>
public static class SegmentationApp
{
    /// <summary>Held-out scenes use indices from here on, so they never coincide with training scenes.</summary>
    private const int TestOffset = 1_000_000;

    /// <summary>Runs as <paramref name="options"/> say, writing results.json, results.md and prediction.png.</summary>
    public static SegmentationResult Run(SegmentationOptions options, ITrainingReporter reporter)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Check();
        using CpuBackend backend = new(options.Threads);
        SpatialSize size = SpatialSize.Cube(3, options.Resolution);
        SceneGenerator generator = new(options.Resolution, options.Seed);
        Sequential<SparseTensor, SparseTensor> net = UNet.Create(new UNetOptions
        {
            Dimension = 3, InputChannels = 1, Widths = options.Widths, Classes = Scene.ClassCount, Seed = options.Seed,
        });
        net.To(backend);
        using Adam adam = new(net.Parameters(), options.LearningRate);
        reporter.WriteLine($"U-Net {string.Join("-", options.Widths)} on {size}, {options.TrainScenes} training scenes per epoch, {options.TestScenes} held-out, batch {options.Batch}.");
        Stopwatch clock = Stopwatch.StartNew();
        using Tape tape = new();
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            double lossSum = 0;
            int batches = 0;
            for (int first = 0; first < options.TrainScenes; first += options.Batch)
            {
                int[] indices = [.. Enumerable.Range(epoch * options.TrainScenes + first, Math.Min(options.Batch, options.TrainScenes - first))];
                VoxelScene[] scenes = [.. indices.Select(i => Voxelizer.Voxelize(generator.Generate(i), options.Resolution))];
                net.ZeroGrad();
                SparseTensor logits = net.Forward(Input(scenes, size, backend, tape), tape);
                lossSum += SiteSoftmaxCrossEntropy.Compute(logits, [.. scenes.SelectMany(s => s.Labels)], tape, []);
                tape.Backward();
                adam.Step();
                tape.Reset();
                batches++;
            }
            reporter.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1}: mean loss {lossSum / batches:F4} ({clock.Elapsed.TotalSeconds:F0} s)"));
        }
        double seconds = clock.Elapsed.TotalSeconds;
        SegmentationResult result = Evaluate(net, generator, options, size, backend);
        Write(options, result, reporter);
        return result with { Seconds = seconds };
    }

    /// <summary>The network input: one constant feature per active voxel, scenes in order.</summary>
    internal static SparseTensor Input(VoxelScene[] scenes, SpatialSize size, CpuBackend backend, Tape tape)
    {
        int total = scenes.Sum(s => s.Count);
        int[] samples = new int[total];
        int at = 0;
        for (int b = 0; b < scenes.Length; b++)
            for (int i = 0; i < scenes[b].Count; i++)
                samples[at++] = b;
        float[] features = [.. Enumerable.Repeat(1f, total)];
        SparseInput input = SparseInput.FromArrays(scenes.Length, 3, 1, samples, [.. scenes.SelectMany(s => s.Coordinates)], features);
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
            VoxelScene scene = Voxelizer.Voxelize(generator.Generate(TestOffset + i), o.Resolution);
            outside += scene.PointsOutside;
            int[] predictions = Predict(net, scene, size, backend);
            for (int v = 0; v < scene.Count; v++)
                metrics.Add(scene.Labels[v], predictions[v]);
            if (i == 0)
                WriteImage(Path.Combine(o.Out, "prediction.png"), scene, predictions, o.Resolution);
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

    /// <summary>A side view (x across, z up) of the voxel nearest the viewer in each column, coloured by predicted class.</summary>
    private static void WriteImage(string path, VoxelScene scene, int[] predictions, int side)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Dictionary<(int, int), (int Y, int Class)> nearest = [];
        for (int v = 0; v < scene.Count; v++)
        {
            (int x, int y, int z) = (scene.Coordinates[3 * v], scene.Coordinates[3 * v + 1], scene.Coordinates[3 * v + 2]);
            if (!nearest.TryGetValue((x, z), out (int Y, int Class) seen) || y < seen.Y)
                nearest[(x, z)] = (y, predictions[v]);
        }
        IEnumerable<SiteColour> sites = nearest.Select(kv =>
        {
            (byte r, byte g, byte b) = SiteImage.Hue(kv.Value.Class * 2 * Math.PI / Scene.ClassCount);
            return new SiteColour(side - 1 - kv.Key.Item2, kv.Key.Item1, r, g, b);
        });
        SiteImage.WritePng(path, side, sites, caption: "held-out scene 0, side view, colour = predicted class (floor, sphere, box, cylinder, cone)");
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
