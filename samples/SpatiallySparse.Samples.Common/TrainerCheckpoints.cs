using System.Globalization;
using System.Text.Json;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Samples.Common;

/// <summary>
/// The trainer's use of the library's <see cref="CheckpointManager"/>: which settings a resumed run must share,
/// which generator it restores, and the <see cref="TrainingState"/> kept as checkpoint metadata.
/// </summary>
internal static class TrainerCheckpoints
{
    private const string StateKey = "trainer_state";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>A manager for <paramref name="model"/>'s folder, or null when the run has none (then --resume is an error).</summary>
    public static CheckpointManager? Create(TrainerOptions options, ITrainable model)
    {
        if (options.CheckpointFolder is null)
            return options.Resume ? throw new ArgumentException("--resume needs --checkpoint FOLDER: there is no folder to resume from.") : null;
        Dictionary<string, string> settings = new(options.Settings)
        {
            ["trainer.seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["trainer.batch"] = options.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["trainer.model"] = model.Name,
        };
        return new CheckpointManager(options.CheckpointFolder, model.Network, model.Optimizer, settings) { Keep = options.Keep };
    }

    /// <summary>The checkpoint metadata holding <paramref name="state"/>.</summary>
    public static Dictionary<string, string> Metadata(TrainingState state) => new() { [StateKey] = JsonSerializer.Serialize(state, Json) };

    /// <summary>The <see cref="TrainingState"/> of a restored checkpoint; throws when it lacks one or disagrees with the record.</summary>
    public static TrainingState Read(CheckpointRecord record)
    {
        if (!record.Metadata.TryGetValue(StateKey, out string? json))
            throw new CheckpointException($"Checkpoint '{record.Path}' has no trainer state: it was not written by this trainer.");
        TrainingState? state;
        try
        {
            state = JsonSerializer.Deserialize<TrainingState>(json, Json);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"Checkpoint '{record.Path}' has an unreadable trainer state: {e.Message}", e);
        }
        if (state is null || state.Epoch != record.Epoch || state.NextBatch != record.StepInEpoch)
            throw new CheckpointException($"Checkpoint '{record.Path}': the trainer state does not match epoch {record.Epoch}, step {record.StepInEpoch}.");
        return state;
    }
}
