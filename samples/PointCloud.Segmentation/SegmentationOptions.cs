using System.Globalization;
using SpatiallySparse.Samples.Common;

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

    /// <summary>
    /// Epochs (24: boxes and cylinders, whose sides differ only in their cross-section, are told apart only after
    /// 13-15 epochs of this U-Net; with 8 they stay confused: docs/results.md, "Point-cloud segmentation").
    /// </summary>
    public int Epochs { get; init; } = 24;

    /// <summary>Scenes per batch (2: twice the Adam steps of 4 for the same time, and a scene holds thousands of voxels for batch norm).</summary>
    public int Batch { get; init; } = 2;

    /// <summary>Adam learning rate.</summary>
    public float LearningRate { get; init; } = 4e-3f;

    /// <summary>U-Net widths per level (16-32-48-64-96: half as wide, the box/cylinder split came for one seed in two and late).</summary>
    public IReadOnlyList<int> Widths { get; init; } = [16, 32, 48, 64, 96];

    /// <summary>Convolution blocks per U-Net level and side.</summary>
    public int Repetitions { get; init; } = 1;

    /// <summary>
    /// Batch norm before every activation of the U-Net (default). Without it a scene's output depends on that scene
    /// alone, so a data-parallel run computes what one process with the whole batch computes; with it each rank
    /// normalises over its own scenes.
    /// </summary>
    public bool BatchNorm { get; init; } = true;

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

    /// <summary>Held-out scenes use indices from here on; training scenes (epoch · train-scenes + i) stay below it.</summary>
    internal const int HeldOutFirstIndex = 1_000_000;

    /// <summary>
    /// Checks every setting before anything is generated or trained: throws an <see cref="ArgumentException"/> naming
    /// the first bad one, its value and the accepted range (the same checks as the other samples, through OptionChecks).
    /// </summary>
    public void Check()
    {
        OptionChecks.Training(Epochs, Batch, Threads, Out, CheckpointFolder, Resume);
        OptionChecks.Range("--resolution", Resolution, 16, 256);
        CheckWidths();
        OptionChecks.Range("--slice-height", SliceHeight, -1, Resolution - 1, " (-1: a fifth of the side)");
        OptionChecks.Range("--repetitions", Repetitions, 1, 16);
        OptionChecks.Range("--stop-after", StopAfter, 0, int.MaxValue, " (0: never)");
        OptionChecks.Range("--lr", LearningRate, 1e-9, 100);
        OptionChecks.Range("--test-scenes", TestScenes, 1, HeldOutFirstIndex);
        // Training scenes of every epoch must stay below the held-out indices, or the test set would be trained on.
        OptionChecks.Range("--train-scenes", TrainScenes, 1, HeldOutFirstIndex / Math.Max(1, Epochs),
            $" for {Epochs} epochs (at most {HeldOutFirstIndex} training scenes in all: held-out scenes start at index {HeldOutFirstIndex})");
    }

    /// <summary>Parses --widths (comma-separated channel counts); a bad entry names the option.</summary>
    public static IReadOnlyList<int> ParseWidths(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        int[] widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out widths[i]))
                throw new ArgumentException($"--widths '{text}': expected comma-separated channel counts, such as 8,16,24,32,48.");
        return widths;
    }

    private void CheckWidths()
    {
        string text = string.Join(",", Widths);
        if (Widths.Count is < 1 or > 8)
            throw new ArgumentOutOfRangeException($"--widths '{text}': expected 1 to 8 U-Net levels, got {Widths.Count}.", (Exception?)null);
        foreach (int width in Widths)
            OptionChecks.Range($"--widths '{text}': a width", width, 1, 1024);
        int multiple = 1 << (Widths.Count - 1);
        if (Resolution % multiple != 0)
            throw new ArgumentException($"--resolution {Resolution} must be a multiple of {multiple} for {Widths.Count} U-Net levels (--widths '{text}').");
    }
}
