using System.Globalization;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Samples.Common;

/// <summary>
/// The up-front checks every sample runs before loading any data: every option in its range, folders writable and
/// a checkpoint to resume from, so a bad setting fails in a second instead of after an epoch of training.
/// Each message names the option, the value and the accepted range.
/// </summary>
public static class OptionChecks
{
    /// <summary>More CPU threads than this are refused: the worker pool uses at most 64, and more only add scheduling.</summary>
    public const int MaxThreads = 256;

    /// <summary>Checks the options every sample shares: epochs, batch, threads, checkpointing and the output folder.</summary>
    public static void Shared(ISampleOptions options, int threads, string outFolder)
    {
        ArgumentNullException.ThrowIfNull(options);
        Training(options.Epochs, options.Batch, threads, outFolder, options.Checkpoint, options.Resume);
        // Silently ignored otherwise: a user who meant to resume would start a fresh run without being told.
        if (options.OverrideSettings && !options.Resume)
            throw new ArgumentException("--override-settings: applies only with --resume (a resumed run may then continue under other settings); add --resume or leave it out.");
    }

    /// <summary>
    /// The shared checks for a sample whose options are not an <see cref="ISampleOptions"/> (the point-cloud sample):
    /// epochs, batch, threads, the output and checkpoint folders writable, and a checkpoint to resume from.
    /// </summary>
    public static void Training(int epochs, int batch, int threads, string outFolder, string? checkpoint, bool resume)
    {
        Range("--epochs", epochs, 0, 1_000_000);
        Range("--batch", batch, 1, 100_000);
        Range("--threads", threads, 0, MaxThreads, " (0: one per core)");
        Writable("--out", outFolder);
        if (checkpoint is not null)
            Writable("--checkpoint", checkpoint);
        if (resume)
            ResumableFrom(checkpoint);
    }

    /// <summary>Throws unless <paramref name="value"/> is in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static void Range(string option, int value, int min, int max, string note = "")
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException($"{option} {value}: expected {min} to {max}{note}.", (Exception?)null);
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static void Range(string option, double value, double min, double max, string note = "")
    {
        if (!(value >= min && value <= max))
            throw new ArgumentOutOfRangeException($"{option} {Show(value)}: expected {Show(min)} to {Show(max)}{note}.", (Exception?)null);
    }

    /// <summary>A subset size: null (all) or 1 and more; 0 and negative sizes are refused (the command line maps 0 to null).</summary>
    public static void Subset(string option, int? value)
    {
        if (value is int n && n < 1)
            throw new ArgumentOutOfRangeException($"{option} {n}: expected 1 to {int.MaxValue} items, or 0 for all.", (Exception?)null);
    }

    /// <summary>Creates <paramref name="folder"/> if needed and proves it writable by writing and deleting a probe file.</summary>
    public static void Writable(string option, string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder, option);
        string probe = Path.Combine(folder, $".write-probe-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ArgumentException($"{option} '{folder}': the folder cannot be created or written ({e.Message}); choose a writable folder.", e);
        }
    }

    /// <summary>Throws unless <paramref name="checkpoint"/> (or a network's sub-folder of it) holds a complete checkpoint.</summary>
    public static void ResumableFrom(string? checkpoint)
    {
        if (checkpoint is null)
            throw new ArgumentException("--resume needs --checkpoint FOLDER: there is no folder to resume from.");
        bool any = Directory.Exists(checkpoint) && Directory.EnumerateDirectories(checkpoint).Prepend(checkpoint).Any(f => CheckpointManager.LatestIn(f) is not null);
        if (!any)
            throw new ArgumentException($"--resume: '{checkpoint}' holds no checkpoint (expected epoch-... folders in it, or in a sub-folder per network); leave out --resume for a fresh run.");
    }

    private static string Show(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
