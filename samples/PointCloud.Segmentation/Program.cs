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
Option<int> reps = new("--repetitions") { Description = "convolution blocks per U-Net level and side", DefaultValueFactory = _ => defaults.Repetitions };
Option<bool> batchNorm = new("--batch-norm") { Description = "batch norm before every activation (false: none; a scene's output then depends on that scene alone)", DefaultValueFactory = _ => defaults.BatchNorm };
Option<string?> checkpoint = new("--checkpoint") { Description = "checkpoint folder (a checkpoint after every epoch)" };
Option<bool> resume = new("--resume") { Description = "continue from the newest checkpoint in --checkpoint" };
Option<int> stopAfter = new("--stop-after") { Description = "stop after this many training batches, saving a checkpoint (0: never)", DefaultValueFactory = _ => defaults.StopAfter };
Option<int> seed = new("--seed") { Description = "seed of scenes and weights", DefaultValueFactory = _ => defaults.Seed };
Option<int> threads = new("--threads") { Description = "CPU threads (0: one per core)", DefaultValueFactory = _ => defaults.Threads };
Option<int> slice = new("--slice-height") { Description = "z of the slice drawn in prediction.png (-1: a fifth of the side)", DefaultValueFactory = _ => defaults.SliceHeight };
Option<string> outDir = new("--out") { Description = "results folder", DefaultValueFactory = _ => defaults.Out };
Option<bool> distributed = new("--distributed") { Description = "one rank of a data-parallel MPI job (mpiexec -n N): --batch is the global batch, split evenly over the ranks" };
RootCommand root = new("Trains a submanifold U-Net to segment generated point-cloud scenes per voxel.")
{
    resolution, trainScenes, testScenes, epochs, batch, lr, widths, reps, batchNorm, checkpoint, resume, stopAfter, seed, threads, slice, outDir, distributed,
};
root.SetAction(parsed =>
{
    SegmentationOptions Options() => new()
    {
        Resolution = parsed.GetValue(resolution), TrainScenes = parsed.GetValue(trainScenes), TestScenes = parsed.GetValue(testScenes),
        Epochs = parsed.GetValue(epochs), Batch = parsed.GetValue(batch), LearningRate = parsed.GetValue(lr),
        Widths = SegmentationOptions.ParseWidths(parsed.GetValue(widths)!),
        Repetitions = parsed.GetValue(reps), BatchNorm = parsed.GetValue(batchNorm), CheckpointFolder = parsed.GetValue(checkpoint), Resume = parsed.GetValue(resume),
        StopAfter = parsed.GetValue(stopAfter), Seed = parsed.GetValue(seed), Threads = parsed.GetValue(threads), SliceHeight = parsed.GetValue(slice), Out = parsed.GetValue(outDir)!,
    };
    // Only --distributed loads the MPI library: without it the sample runs where no MPI is installed. Exit code 130
    // after Ctrl-C (a checkpoint saved), 0 after --stop-after.
    return parsed.GetValue(distributed)
        // Checked before MPI starts: a bad setting ends each rank with its message and exit code 1, not an abort of the job.
        ? !SampleMain.Checked(() => Options().Check()) ? 1 : SampleMain.RunDistributed(args, (session, reporter, cancellation) => SegmentationApp.Run(Options(), reporter, cancellation, session).Cancelled)
        : SampleMain.Run(cancellation => SegmentationApp.Run(Options(), new ConsoleReporter(), cancellation).Cancelled);
});
return root.Parse(args).Invoke();
