using System.Globalization;
using SpatiallySparse.Layers;
using SpatiallySparse.Optim;
using SpatiallySparse.Serialization;

namespace PointCloudSegmentation;

/// <summary>
/// The sample's use of the library's <see cref="CheckpointManager"/>: the settings a resumed run must share and where
/// it continues. Nothing else needs saving: scene i depends on (seed, i) alone and training draws nothing else at
/// random, so the weights, Adam's moments and step count (the cosine schedule's position) are the whole state.
/// </summary>
internal static class SegmentationCheckpoints
{
    /// <summary>A manager for the run's folder, or null when it has none (then --resume is an error).</summary>
    public static CheckpointManager? Create(SegmentationOptions o, Module net, Optimizer optimizer)
    {
        if (o.CheckpointFolder is null)
            return o.Resume ? throw new ArgumentException("--resume needs --checkpoint DIR: there is no folder to resume from.") : null;
        Dictionary<string, string> settings = new()
        {
            ["pointcloud.resolution"] = Text(o.Resolution),
            ["pointcloud.train_scenes"] = Text(o.TrainScenes),
            ["pointcloud.epochs"] = Text(o.Epochs),
            ["pointcloud.batch"] = Text(o.Batch),
            ["pointcloud.lr"] = o.LearningRate.ToString("R", CultureInfo.InvariantCulture),
            ["pointcloud.widths"] = string.Join(",", o.Widths),
            ["pointcloud.repetitions"] = Text(o.Repetitions),
            ["pointcloud.seed"] = Text(o.Seed),
        };
        return new CheckpointManager(o.CheckpointFolder, net, optimizer, settings);
    }

    /// <summary>The (epoch, batch) to continue from: restored from the newest checkpoint on --resume, else (0, 0).</summary>
    public static (int Epoch, int Batch) Start(CheckpointManager? store, bool resume)
    {
        if (store?.Start(resume) is not CheckpointRecord record)
            return (0, 0);
        return (record.Epoch, record.StepInEpoch);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
