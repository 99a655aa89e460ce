using System.Globalization;
using System.Text.Json;
using SpatiallySparse.Optim;

namespace SpatiallySparse.Serialization;

/// <summary>Restoring: every check (checksums, format, settings, optimiser kind, generators) runs before anything is loaded.</summary>
public sealed partial class CheckpointManager
{
    /// <summary>
    /// Restores the newest complete checkpoint; throws a <see cref="CheckpointException"/> naming the folder
    /// when there is none (a resume must not silently become a fresh start).
    /// </summary>
    public CheckpointRecord RestoreLatest(bool overrideSettings = false)
    {
        string? latest = Latest();
        if (latest is null)
            throw new CheckpointException(Directory.Exists(Folder)
                ? $"Nothing to resume: checkpoint folder '{Folder}' holds no complete checkpoint."
                : $"Nothing to resume: checkpoint folder '{Folder}' does not exist.");
        return Restore(latest, overrideSettings);
    }

    /// <summary>
    /// Restores the checkpoint folder <paramref name="checkpoint"/> into the model, the optimiser and the
    /// generators. Throws a <see cref="CheckpointException"/> naming the file and the reason when a file is missing,
    /// corrupt or truncated, or when the settings record differs (unless <paramref name="overrideSettings"/>).
    /// </summary>
    public CheckpointRecord Restore(string checkpoint, bool overrideSettings = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpoint);
        string folder = Path.GetFullPath(checkpoint);
        if (!Directory.Exists(folder))
            throw new CheckpointException($"Checkpoint '{folder}' does not exist.");
        CheckpointChecksums.Verify(folder, Files);
        CheckpointStateFile state = ReadState(Path.Combine(folder, StateFile));
        CheckSettings(folder, state, overrideSettings);
        string optimizerPath = Path.Combine(folder, OptimizerFile);
        if (state.OptimizerKind != _optimizer.Kind)
            throw new CheckpointException($"Checkpoint '{optimizerPath}' holds the state of a '{state.OptimizerKind}' optimiser; this run uses '{_optimizer.Kind}'.");
        List<(SeededRandom Generator, ulong[] State)> generators = MatchGenerators(Path.Combine(folder, StateFile), state);
        IReadOnlyDictionary<string, float[]> buffers = SafeTensors.Load(optimizerPath).ToDictionary(t => t.Key, t => t.Value.Data);
        LoadModel(Path.Combine(folder, ModelFile));
        try
        {
            _optimizer.LoadState(new OptimizerState(state.OptimizerKind, state.OptimizerStepCount, buffers, state.OptimizerScalars));
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException($"Checkpoint '{optimizerPath}' does not fit this optimiser: {e.Message}", e);
        }
        foreach ((SeededRandom generator, ulong[] words) in generators)
            generator.SetState(words);
        _started = true;
        return new CheckpointRecord(folder, state.Epoch, state.StepInEpoch, state.OptimizerStepCount, state.Settings, state.Metadata);
    }

    private void LoadModel(string path)
    {
        try
        {
            ModuleCheckpoint.Load(_model, path);
        }
        catch (SafeTensorsFormatException e)
        {
            throw new CheckpointException(e.Message, e);
        }
    }

    private static CheckpointStateFile ReadState(string path)
    {
        CheckpointStateFile? state;
        try
        {
            state = JsonSerializer.Deserialize<CheckpointStateFile>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"Checkpoint state '{path}' is not valid: {e.Message}", e);
        }
        if (state is null || state.Format != Format)
            throw new CheckpointException($"Checkpoint state '{path}' has format {state?.Format}; this library reads format {Format}.");
        return state;
    }

    private void CheckSettings(string folder, CheckpointStateFile state, bool overrideSettings)
    {
        List<string> differences = RunSettings.Differences(state.Settings, _settings);
        if (differences.Count > 0 && !overrideSettings)
            throw new CheckpointException($"Checkpoint '{folder}' was saved by a run with other settings: {string.Join("; ", differences)}. " +
                "Resume with the same settings, pass the override flag to resume anyway, or choose another folder.");
    }

    /// <summary>Pairs each generator of this run with its saved state; any generator missing on either side is refused.</summary>
    private List<(SeededRandom, ulong[])> MatchGenerators(string path, CheckpointStateFile state)
    {
        Dictionary<string, SeededRandom> current = AllGenerators();
        string? extra = state.Generators.Keys.FirstOrDefault(k => !current.ContainsKey(k));
        if (extra is not null)
            throw new CheckpointException($"Checkpoint state '{path}' holds generator '{extra}', which this run does not have.");
        List<(SeededRandom, ulong[])> pairs = [];
        foreach ((string name, SeededRandom generator) in current)
        {
            if (!state.Generators.TryGetValue(name, out string[]? words))
                throw new CheckpointException($"Checkpoint state '{path}' has no state for generator '{name}'.");
            pairs.Add((generator, ParseState(path, name, words)));
        }
        return pairs;
    }

    private static ulong[] ParseState(string path, string name, string[] words)
    {
        ulong[] state = new ulong[words.Length];
        for (int i = 0; i < words.Length; i++)
            if (!ulong.TryParse(words[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out state[i]))
                throw new CheckpointException($"Checkpoint state '{path}': generator '{name}' word {i} '{words[i]}' is not hexadecimal.");
        if (state.Length != SeededRandom.StateLength || state.All(w => w == 0))
            throw new CheckpointException($"Checkpoint state '{path}': generator '{name}' needs {SeededRandom.StateLength} words, not all zero.");
        return state;
    }
}
