namespace PointCloudSegmentation;

/// <summary>Settings of a run.</summary>
public sealed record SegmentationOptions
{
    /// <summary>Grid side in voxels (16 to 256).</summary>
    public int Resolution { get; init; } = 64;

    /// <summary>Training scenes (generated; a fresh set of this many each epoch).</summary>
    public int TrainScenes { get; init; } = 192;

    /// <summary>Held-out scenes (other indices than any training scene).</summary>
    public int TestScenes { get; init; } = 16;

    /// <summary>Epochs.</summary>
    public int Epochs { get; init; } = 8;

    /// <summary>Scenes per batch (2: twice the Adam steps of 4 for the same time, and a scene holds thousands of voxels for batch norm).</summary>
    public int Batch { get; init; } = 2;

    /// <summary>Adam learning rate.</summary>
    public float LearningRate { get; init; } = 4e-3f;

    /// <summary>U-Net widths per level.</summary>
    public IReadOnlyList<int> Widths { get; init; } = [8, 16, 24, 32, 48];

    /// <summary>Convolution blocks per U-Net level and side.</summary>
    public int Repetitions { get; init; } = 1;

    /// <summary>Checkpoint folder (null: none); a checkpoint is written after every epoch.</summary>
    public string? CheckpointFolder { get; init; }

    /// <summary>Continue from the newest checkpoint in <see cref="CheckpointFolder"/>.</summary>
    public bool Resume { get; init; }

    /// <summary>Stop (saving a checkpoint) after this many training batches of this process; 0: never.</summary>
    public int StopAfter { get; init; }

    /// <summary>Seed of scenes and weights.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>CPU threads (0: one per core).</summary>
    public int Threads { get; init; }

    /// <summary>Height (z, voxels) of the slice drawn in prediction.png; -1: a fifth of the side, through the lower half of the objects.</summary>
    public int SliceHeight { get; init; } = -1;

    /// <summary>Results folder.</summary>
    public string Out { get; init; } = "results-pointcloud";

    /// <summary>Throws naming the first setting out of range.</summary>
    public void Check()
    {
        if (Resolution is < 16 or > 256)
            throw new ArgumentOutOfRangeException(nameof(Resolution), $"--resolution {Resolution} is outside [16, 256].");
        int multiple = 1 << (Widths.Count - 1);
        if (Resolution % multiple != 0)
            throw new ArgumentException($"--resolution {Resolution} must be a multiple of {multiple} for {Widths.Count} U-Net levels.");
        if (SliceHeight >= Resolution)
            throw new ArgumentOutOfRangeException(nameof(SliceHeight), $"--slice-height {SliceHeight} must be below the grid side {Resolution}.");
        if (Repetitions < 1 || StopAfter < 0)
            throw new ArgumentOutOfRangeException(nameof(Repetitions), $"--repetitions {Repetitions} must be at least 1 and --stop-after {StopAfter} at least 0.");
        if (TrainScenes < 1 || TestScenes < 1 || Epochs < 0 || Batch < 1)
            throw new ArgumentOutOfRangeException(nameof(TrainScenes), $"--train-scenes {TrainScenes}, --test-scenes {TestScenes} and --batch {Batch} must be at least 1, --epochs {Epochs} at least 0.");
    }
}
