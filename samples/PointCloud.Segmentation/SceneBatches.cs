using System.Collections.Concurrent;
using SpatiallySparse;
using SpatiallySparse.Backends;
using SpatiallySparse.Data;
using SpatiallySparse.Layers;
using SpatiallySparse.Samples.Common;

namespace PointCloudSegmentation;

/// <summary>
/// The training scenes of one epoch as a <see cref="SparseBatchLoader"/> builds them on its workers while the network
/// trains: generated, voxelised, their <see cref="VoxelFeatures"/> computed and the batch's geometry built. Scene
/// <c>epoch x TrainScenes + i</c> is sample i, in order (the scenes of every epoch are new, so nothing is shuffled);
/// with a <see cref="LoaderShard"/>, this rank's part of each global batch. The loader labels samples, not sites:
/// the per-voxel labels are kept here, by scene, until the batch's step takes them (<see cref="Labels"/>).
/// </summary>
internal sealed class SceneBatches : IDisposable
{
    private readonly ConcurrentDictionary<int, int[]> _labels = new();
    private readonly SceneGenerator _generator;
    private readonly int _firstScene, _side;

    /// <summary>Creates the epoch's loader; <paramref name="localBatch"/> scenes per batch of this process.</summary>
    public SceneBatches(SegmentationOptions options, SceneGenerator generator, int epoch, int localBatch, LoaderShard? shard, ISparseBackend backend, Sequential network)
    {
        (_generator, _firstScene, _side) = (generator, epoch * options.TrainScenes, options.Resolution);
        Loader = new SparseBatchLoader(new SparseBatchLoaderOptions
        {
            SampleCount = options.TrainScenes,
            BatchSize = localBatch,
            ShardCount = shard?.Count ?? 1,
            ShardIndex = shard?.Index ?? 0,
            GridSize = SpatialSize.Cube(3, options.Resolution),
            Channels = VoxelFeatures.Count,
            Backend = backend,
            Network = network,
            Seed = options.Seed,
            Shuffle = false,
            AddSample = Add,
        });
    }

    /// <summary>The loader of the epoch's batches.</summary>
    public SparseBatchLoader Loader { get; }

    /// <summary>The batch's per-voxel labels, scenes in slot order and voxels in each scene's order (the tensor's row order).</summary>
    public int[] Labels(SparseBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int[][] scenes = new int[batch.Count][];
        for (int slot = 0; slot < batch.Count; slot++)
            if (!_labels.TryRemove(batch.Indices[slot], out scenes[slot]!))
                throw new InvalidOperationException($"No labels for scene {_firstScene + batch.Indices[slot]}: its batch was taken twice.");
        return [.. scenes.SelectMany(s => s)];
    }

    /// <summary>Stops the loader's workers.</summary>
    public void Dispose() => Loader.Dispose();

    /// <summary>Adds scene <paramref name="index"/> of the epoch to <paramref name="input"/> (on a loader worker).</summary>
    private void Add(SparseInput input, int slot, int index, Random random)
    {
        VoxelScene scene = Voxelizer.Voxelize(_generator.Generate(_firstScene + index), _side);
        VoxelFeatures.Add(input, slot, scene, _side);
        _labels[index] = scene.Labels;
    }
}
