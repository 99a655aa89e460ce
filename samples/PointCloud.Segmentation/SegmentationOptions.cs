namespace PointCloudSegmentation;

/// <summary>Settings of a run.</summary>
public sealed record SegmentationOptions
{
    /// <summary>Grid side in voxels (16 to 256).</summary>
    public int Resolution { get; init; } = 64;

    /// <summary>Training scenes (generated; a fresh set of this many each epoch).</summary>
    public int TrainScenes { get; init; } = 48;

    /// <summary>Held-out scenes (other indices than any training scene).</summary>
    public int TestScenes { get; init; } = 16;

    /// <summary>Epochs.</summary>
    public int Epochs { get; init; } = 4;

    /// <summary>Scenes per batch.</summary>
    public int Batch { get; init; } = 4;

    /// <summary>Adam learning rate.</summary>
    public float LearningRate { get; init; } = 3e-3f;

    /// <summary>U-Net widths per level.</summary>
    public IReadOnlyList<int> Widths { get; init; } = [8, 16, 24, 32, 48];

    /// <summary>Seed of scenes and weights.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>CPU threads (0: one per core).</summary>
    public int Threads { get; init; }

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
        if (TrainScenes < 1 || TestScenes < 1 || Epochs < 0 || Batch < 1)
            throw new ArgumentOutOfRangeException(nameof(TrainScenes), $"--train-scenes {TrainScenes}, --test-scenes {TestScenes} and --batch {Batch} must be at least 1, --epochs {Epochs} at least 0.");
    }
}
