using System.Globalization;
using SpatiallySparse.Distributed;
using SpatiallySparse.Layers;
using SpatiallySparse.Optim;
using SpatiallySparse.Samples.Common;
using SpatiallySparse.Serialization;

namespace PointCloudSegmentation;

/// <summary>
/// The sample's use of the library's <see cref="CheckpointManager"/>: the settings a resumed run must share and where
/// it continues. Nothing else needs saving: scene i depends on (seed, i) alone and training draws nothing else at
/// random, so the weights, Adam's moments and step count (the cosine schedule's position) are the whole state.
/// </summary>
internal static class SegmentationCheckpoints
{
    /// <summary>
    /// A manager for the run's folder, or null when it has none (then --resume is an error). A data-parallel run
    /// records its number of ranks: with batch norm, another number normalises over other scenes.
    /// </summary>
    public static CheckpointManager? Create(SegmentationOptions o, Module net, Optimizer optimizer, DistributedSession? session = null)
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
            ["pointcloud.batch_norm"] = o.BatchNorm ? "true" : "false",
            ["pointcloud.seed"] = Text(o.Seed),
        };
        if (session is not null)
            settings["pointcloud.ranks"] = Text(session.WorldSize);
        return new CheckpointManager(o.CheckpointFolder, net, optimizer, settings);
    }

    /// <summary>
    /// The (epoch, batch) to continue from: restored from the newest checkpoint on --resume (on every rank, then
    /// rank 0's weights given to all), else (0, 0).
    /// </summary>
    public static (int Epoch, int Batch) Start(CheckpointManager? store, bool resume, TrainerParallel parallel)
    {
        if (store is null || parallel.Start(store, resume) is not CheckpointRecord record)
            return (0, 0);
        return (record.Epoch, record.StepInEpoch);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
