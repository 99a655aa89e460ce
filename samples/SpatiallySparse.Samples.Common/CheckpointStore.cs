using System.Globalization;
using System.Text.Json;
using SpatiallySparse.Layers;
using SpatiallySparse.Optim;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Samples.Common;

/// <summary>A checkpoint that cannot be used: corrupt, truncated, or from another network.</summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CheckpointException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>
/// Checkpoints of one run in a folder: each is a sub-folder <c>epoch-EEEE-batch-BBBBBB</c> holding
/// <c>model.safetensors</c> (parameters via <see cref="ModuleCheckpoint"/>, the <see cref="TrainingState"/> as
/// metadata) and <c>optimizer.safetensors</c> (momentum buffers). A checkpoint is written under a temporary
/// name and renamed when complete, so a crash never leaves a half-written one that resume would pick.
/// </summary>
public sealed class CheckpointStore
{
    private const string StateKey = "training_state";
    private const string Prefix = "epoch-";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Uses (and creates when saving) <paramref name="folder"/>.</summary>
    public CheckpointStore(string folder)
    {
        Folder = Path.GetFullPath(folder ?? throw new ArgumentNullException(nameof(folder)));
    }

    /// <summary>The folder.</summary>
    public string Folder { get; }

    /// <summary>Number of newest checkpoints kept; older ones are deleted after each save.</summary>
    public int Keep { get; init; } = 2;

    /// <summary>Writes a checkpoint of <paramref name="network"/>, <paramref name="optimizer"/> and <paramref name="state"/>; returns its folder.</summary>
    public string Save(Module network, Sgd optimizer, TrainingState state)
    {
        Directory.CreateDirectory(Folder);
        string name = string.Create(CultureInfo.InvariantCulture, $"{Prefix}{state.Epoch:D4}-batch-{state.NextBatch:D6}");
        string final = Path.Combine(Folder, name), temporary = final + ".tmp";
        if (Directory.Exists(temporary))
            Directory.Delete(temporary, recursive: true);
        Directory.CreateDirectory(temporary);
        ModuleCheckpoint.Save(network, Path.Combine(temporary, "model.safetensors"),
            new Dictionary<string, string> { [StateKey] = JsonSerializer.Serialize(state, Json) });
        float[][] velocities = optimizer.GetVelocities();
        SafeTensors.Save(Path.Combine(temporary, "optimizer.safetensors"),
            velocities.Select((v, i) => new NamedTensor($"velocity.{i}", [v.Length], v)));
        if (Directory.Exists(final))
            Directory.Delete(final, recursive: true);
        Directory.Move(temporary, final);
        Prune();
        return final;
    }

    /// <summary>The newest complete checkpoint folder, or null when there is none.</summary>
    public string? Latest() => !Directory.Exists(Folder) ? null : Complete().LastOrDefault();

    /// <summary>Loads <paramref name="checkpoint"/> into the network and optimiser; returns the saved state.</summary>
    public static TrainingState Load(string checkpoint, Module network, Sgd optimizer)
    {
        try
        {
            IReadOnlyDictionary<string, string> metadata = ModuleCheckpoint.Load(network, Path.Combine(checkpoint, "model.safetensors"));
            if (!metadata.TryGetValue(StateKey, out string? json))
                throw new CheckpointException($"Checkpoint '{checkpoint}' has no training state: it was not written by this trainer.");
            TrainingState state = JsonSerializer.Deserialize<TrainingState>(json, Json) ?? throw new CheckpointException($"Checkpoint '{checkpoint}' has an empty training state.");
            IReadOnlyDictionary<string, NamedTensor> tensors = SafeTensors.Load(Path.Combine(checkpoint, "optimizer.safetensors"));
            float[][] velocities = [.. Enumerable.Range(0, tensors.Count).Select(i => tensors.TryGetValue($"velocity.{i}", out NamedTensor? t) ? t.Data
                : throw new CheckpointException($"Checkpoint '{checkpoint}' lacks momentum buffer {i}."))];
            optimizer.LoadState(new OptimizerState(optimizer.Kind, state.OptimizerSteps,
                velocities.Select((v, i) => (Name: $"velocity.{i}", Values: v)).ToDictionary(x => x.Name, x => x.Values), new Dictionary<string, double>()));
            return state;
        }
        catch (Exception e) when (e is IOException or JsonException or ArgumentException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"Cannot resume from checkpoint '{checkpoint}': {e.Message} Delete that folder to fall back to an older checkpoint, or run without --resume.", e);
        }
    }

    private void Prune()
    {
        string[] all = Complete();
        foreach (string old in all.Take(Math.Max(0, all.Length - Keep)))
            Directory.Delete(old, recursive: true);
    }

    /// <summary>Complete checkpoint folders (not the <c>.tmp</c> one being written), oldest first.</summary>
    private string[] Complete() =>
        [.. Directory.GetDirectories(Folder, Prefix + "*").Where(d => !d.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
}
