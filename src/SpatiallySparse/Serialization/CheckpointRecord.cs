namespace SpatiallySparse.Serialization;

/// <summary>
/// What a restored checkpoint says about the run besides the tensors: where it was (epoch and step within the
/// epoch; the optimiser's own step count drives the schedule), its settings and the caller's metadata.
/// </summary>
/// <param name="Path">The checkpoint's folder.</param>
/// <param name="Epoch">0-based epoch in progress when saved.</param>
/// <param name="StepInEpoch">Steps of <paramref name="Epoch"/> already taken (the next one to run).</param>
/// <param name="OptimizerStepCount">The optimiser's step count, i.e. the schedule's position.</param>
/// <param name="Settings">The run-settings record saved with it.</param>
/// <param name="Metadata">The caller's metadata.</param>
public sealed record CheckpointRecord(string Path, int Epoch, int StepInEpoch, long OptimizerStepCount,
    IReadOnlyDictionary<string, string> Settings, IReadOnlyDictionary<string, string> Metadata);

/// <summary>The state file of a checkpoint (<c>state.json</c>), as serialised.</summary>
internal sealed record CheckpointStateFile
{
    /// <summary>Layout version; a newer one is refused.</summary>
    public int Format { get; init; }

    public int Epoch { get; init; }

    public int StepInEpoch { get; init; }

    public string OptimizerKind { get; init; } = "";

    public long OptimizerStepCount { get; init; }

    public Dictionary<string, double> OptimizerScalars { get; init; } = [];

    /// <summary>Generator states by name, each as <see cref="SeededRandom.StateLength"/> hexadecimal words.</summary>
    public Dictionary<string, string[]> Generators { get; init; } = [];

    public Dictionary<string, string> Settings { get; init; } = [];

    public Dictionary<string, string> Metadata { get; init; } = [];
}
