using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SpatiallySparse.Layers;
using SpatiallySparse.Optim;

namespace SpatiallySparse.Serialization;

/// <summary>
/// Training checkpoints of one run in one folder. <see cref="Save"/> writes, in one call, the model's parameters
/// and buffers, the optimiser's state (with its step count, the schedule's position), the epoch and step within
/// it, the state of every random generator (each dropout layer's and those added with <see cref="AddGenerator"/>),
/// the run-settings record and the caller's metadata; <see cref="Restore"/> or <see cref="RestoreLatest"/> puts
/// all of it back. Each checkpoint is a folder <c>epoch-EEEEEEEEEE-step-SSSSSSSSSS</c>, written under a temporary
/// name, flushed, checksummed (SHA-256 of every file) and renamed; the newest <see cref="Keep"/> are kept.
/// </summary>
/// <example>
/// One call saves the run and one restores it (from <c>samples/Demo</c>).
/// <code language="csharp">
/// Dictionary&lt;string, string&gt; settings = new() { ["network"] = "strokes-2x16-32", ["lr"] = "3e-3", ["batch"] = "32" };
/// CheckpointManager checkpoints = new(folder, net, adam, settings) { Keep = 2 };
/// checkpoints.Start(resume: false);
/// string saved = checkpoints.Save(epoch: 0, stepInEpoch: step);
/// CheckpointRecord restored = checkpoints.RestoreLatest();   // what a resumed run does first
/// Console.WriteLine($"saved and restored {Path.GetFileName(saved)} (optimiser step {restored.OptimizerStepCount})");
/// </code>
/// </example>
public sealed partial class CheckpointManager
{
    private const int Format = 1;
    private const string ModelFile = "model.safetensors", OptimizerFile = "optimizer.safetensors", StateFile = "state.json";
    private const string ModelGenerators = "model";
    private static readonly string[] Files = [StateFile, ModelFile, OptimizerFile];
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly Module _model;
    private readonly Optimizer _optimizer;
    private readonly Dictionary<string, string> _settings;
    private readonly Dictionary<string, SeededRandom> _generators = new(StringComparer.Ordinal);
    private readonly int _keep = 2;
    private bool _started;

    /// <summary>
    /// Checkpoints of <paramref name="model"/> and <paramref name="optimizer"/> in <paramref name="folder"/> (created
    /// on the first save). <paramref name="settings"/> is the run-settings record (network, learning rate, batch,
    /// data subset, seed…): a checkpoint saved under other settings is refused on restore.
    /// </summary>
    public CheckpointManager(string folder, Module model, Optimizer optimizer, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(settings);
        Folder = Path.GetFullPath(folder);
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        _settings = new Dictionary<string, string>(settings, StringComparer.Ordinal);
    }

    /// <summary>The checkpoint folder (full path).</summary>
    public string Folder { get; }

    /// <summary>How many of the newest checkpoints a save keeps (at least 1; default 2).</summary>
    public int Keep
    {
        get => _keep;
        init => _keep = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"Keep must be at least 1, got {value}.");
    }

    /// <summary>The run-settings record saved with every checkpoint.</summary>
    public IReadOnlyDictionary<string, string> Settings => _settings;

    /// <summary>
    /// Saves and restores <paramref name="generator"/> (e.g. augmentation or shuffling) under <paramref name="name"/>.
    /// Names starting with <c>model</c> are taken by the model's dropout layers.
    /// </summary>
    public void AddGenerator(string name, SeededRandom generator)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(generator);
        if (name.StartsWith(ModelGenerators, StringComparison.Ordinal))
            throw new ArgumentException($"Generator name '{name}' is reserved: names starting with '{ModelGenerators}' belong to the model's dropout layers.", nameof(name));
        if (!_generators.TryAdd(name, generator))
            throw new ArgumentException($"A generator named '{name}' was already added.", nameof(name));
    }

    /// <summary>The complete checkpoints, oldest first.</summary>
    public IReadOnlyList<string> List() => CheckpointStorage.List(Folder);

    /// <summary>The newest complete checkpoint, or null when there is none.</summary>
    public string? Latest() => List().LastOrDefault();

    /// <summary>The newest complete checkpoint in <paramref name="folder"/>, or null when there is none (or no folder).</summary>
    public static string? LatestIn(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        return CheckpointStorage.List(Path.GetFullPath(folder)).LastOrDefault();
    }

    /// <summary>
    /// Begins a run: restores the newest checkpoint when <paramref name="resume"/> (throwing when there is none),
    /// else checks that the folder holds no checkpoint. Returns the restored record, or null for a fresh run.
    /// </summary>
    public CheckpointRecord? Start(bool resume, bool overrideSettings = false)
    {
        if (resume)
            return RestoreLatest(overrideSettings);
        StartFresh();
        return null;
    }

    /// <summary>Refuses to start a fresh run in a folder that holds checkpoints (they would be mixed and pruned).</summary>
    public void StartFresh()
    {
        IReadOnlyList<string> existing = List();
        if (existing.Count > 0)
            throw new CheckpointException($"Checkpoint folder '{Folder}' already holds {existing.Count} checkpoint(s) of a run (newest '{Path.GetFileName(existing[^1])}'): " +
                "resume that run, or choose another folder for a fresh one.");
        _started = true;
    }

    /// <summary>
    /// Writes a checkpoint at <paramref name="epoch"/> (0-based) after <paramref name="stepInEpoch"/> steps of it,
    /// with <paramref name="metadata"/>; prunes to <see cref="Keep"/>; returns the checkpoint's folder. The first
    /// save of a run that neither restored nor called <see cref="StartFresh"/> checks the folder as that does.
    /// </summary>
    public string Save(int epoch, int stepInEpoch, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (epoch < 0)
            throw new ArgumentOutOfRangeException(nameof(epoch), $"Epoch must be in [0, {int.MaxValue}], got {epoch}.");
        if (stepInEpoch < 0)
            throw new ArgumentOutOfRangeException(nameof(stepInEpoch), $"Step within the epoch must be in [0, {int.MaxValue}], got {stepInEpoch}.");
        if (!_started)
            StartFresh();
        CheckpointStorage.RemoveLeftovers(Folder);
        string name = CheckpointNames.For(epoch, stepInEpoch);
        string temporary = CheckpointStorage.CreateTemporary(Folder, name);
        WriteFiles(temporary, epoch, stepInEpoch, metadata);
        string final = Path.Combine(Folder, name);
        CheckpointStorage.Publish(temporary, final);
        CheckpointStorage.Prune(Folder, Keep);
        return final;
    }

    private void WriteFiles(string folder, int epoch, int stepInEpoch, IReadOnlyDictionary<string, string>? metadata)
    {
        ModuleCheckpoint.Save(_model, Path.Combine(folder, ModelFile));
        OptimizerState optimizer = _optimizer.GetState();
        SafeTensors.Save(Path.Combine(folder, OptimizerFile), optimizer.Buffers.Select(b => new NamedTensor(b.Key, [b.Value.Length], b.Value)));
        CheckpointStateFile state = new()
        {
            Format = Format,
            Epoch = epoch,
            StepInEpoch = stepInEpoch,
            OptimizerKind = optimizer.Kind,
            OptimizerStepCount = optimizer.StepCount,
            OptimizerScalars = new Dictionary<string, double>(optimizer.Scalars),
            Generators = AllGenerators().ToDictionary(g => g.Key, g => g.Value.GetState().Select(w => w.ToString("X16", CultureInfo.InvariantCulture)).ToArray()),
            Settings = _settings,
            Metadata = metadata is null ? [] : new Dictionary<string, string>(metadata),
        };
        CheckpointChecksums.WriteDurably(Path.Combine(folder, StateFile), JsonSerializer.Serialize(state, Json));
        CheckpointChecksums.WriteManifest(folder, Files);
    }

    /// <summary>Every generator the run needs: the model's dropout layers (<c>model</c>, <c>model.3</c>, …) and the added ones.</summary>
    private Dictionary<string, SeededRandom> AllGenerators()
    {
        Dictionary<string, SeededRandom> all = new(_generators, StringComparer.Ordinal);
        Visit(_model, ModelGenerators);
        return all;

        void Visit(Module m, string path)
        {
            if (m is IReseedable random)
                all.Add(path, random.Generator);
            for (int i = 0; i < m.Children.Count; i++)
                Visit(m.Children[i], string.Create(CultureInfo.InvariantCulture, $"{path}.{i}"));
        }
    }
}
