using System.CommandLine;
using PointCloudSegmentation;
using SpatiallySparse.Samples.Common;

// Per-voxel segmentation of generated 3D scenes (floor, spheres, boxes, cylinders, cones) with a submanifold U-Net.
SegmentationOptions defaults = new();
Option<int> resolution = new("--resolution") { Description = "grid side in voxels (16 to 256)", DefaultValueFactory = _ => defaults.Resolution };
Option<int> trainScenes = new("--train-scenes") { Description = "training scenes per epoch (new ones each epoch)", DefaultValueFactory = _ => defaults.TrainScenes };
Option<int> testScenes = new("--test-scenes") { Description = "held-out scenes", DefaultValueFactory = _ => defaults.TestScenes };
Option<int> epochs = new("--epochs") { Description = "epochs", DefaultValueFactory = _ => defaults.Epochs };
Option<int> batch = new("--batch") { Description = "scenes per batch", DefaultValueFactory = _ => defaults.Batch };
Option<float> lr = new("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => defaults.LearningRate };
Option<string> widths = new("--widths") { Description = "U-Net widths per level, comma-separated", DefaultValueFactory = _ => string.Join(",", defaults.Widths) };
Option<int> seed = new("--seed") { Description = "seed of scenes and weights", DefaultValueFactory = _ => defaults.Seed };
Option<int> threads = new("--threads") { Description = "CPU threads (0: one per core)", DefaultValueFactory = _ => defaults.Threads };
Option<string> outDir = new("--out") { Description = "results folder", DefaultValueFactory = _ => defaults.Out };
RootCommand root = new("Trains a submanifold U-Net to segment generated point-cloud scenes per voxel.")
{
    resolution, trainScenes, testScenes, epochs, batch, lr, widths, seed, threads, outDir,
};
root.SetAction(parsed =>
{
    try
    {
        SegmentationOptions options = new()
        {
            Resolution = parsed.GetValue(resolution), TrainScenes = parsed.GetValue(trainScenes), TestScenes = parsed.GetValue(testScenes),
            Epochs = parsed.GetValue(epochs), Batch = parsed.GetValue(batch), LearningRate = parsed.GetValue(lr),
            Widths = [.. parsed.GetValue(widths)!.Split(',').Select(w => int.Parse(w, System.Globalization.CultureInfo.InvariantCulture))],
            Seed = parsed.GetValue(seed), Threads = parsed.GetValue(threads), Out = parsed.GetValue(outDir)!,
        };
        SegmentationApp.Run(options, new ConsoleReporter());
        return 0;
    }
    catch (Exception e) when (e is ArgumentException or FormatException or IOException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 1;
    }
});
return root.Parse(args).Invoke();
