using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Serialization;

/// <summary>
/// Saves and loads a module's parameters and buffers (batch-norm running statistics) as a safetensors file,
/// named by their dotted paths (<c>3.weight</c>). Saving is atomic; loading checks the whole file against
/// the module before changing anything, so a bad file leaves the module as it was.
/// </summary>
public static class ModuleCheckpoint
{
    /// <summary>Writes every parameter and buffer of <paramref name="module"/> to <paramref name="path"/>.</summary>
    public static void Save(Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        SafeTensors.Save(path, Entries(module).Select(e => new NamedTensor(e.Name, [e.Matrix.Rows, e.Matrix.Columns], e.Matrix.ToArray())), metadata);
    }

    /// <summary>Loads the values saved by <see cref="Save"/> into <paramref name="module"/>; returns the file's metadata.</summary>
    public static IReadOnlyDictionary<string, string> Load(Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        IReadOnlyDictionary<string, NamedTensor> tensors = SafeTensors.Load(path, out IReadOnlyDictionary<string, string> metadata);
        List<(string Name, FeatureMatrix Matrix)> entries = [.. Entries(module)];
        List<(FeatureMatrix Matrix, float[] Data)> updates = [];
        foreach ((string name, FeatureMatrix m) in entries)
        {
            if (!tensors.TryGetValue(name, out NamedTensor? t))
                throw new SafeTensorsFormatException($"Checkpoint '{path}' has no tensor '{name}' ({m.Rows} x {m.Columns}) required by the module.");
            if (t.Shape.Length != 2 || t.Shape[0] != m.Rows || t.Shape[1] != m.Columns)
                throw new SafeTensorsFormatException($"Checkpoint '{path}': tensor '{name}' has shape [{string.Join(", ", t.Shape)}], the module needs [{m.Rows}, {m.Columns}].");
            updates.Add((m, t.Data));
        }
        HashSet<string> expected = [.. entries.Select(e => e.Name)];
        string? extra = tensors.Keys.FirstOrDefault(k => !expected.Contains(k));
        if (extra is not null)
            throw new SafeTensorsFormatException($"Checkpoint '{path}' holds tensor '{extra}', which this module does not have: is it a checkpoint of another network?");
        foreach ((FeatureMatrix m, float[] data) in updates)
            m.Backend.Upload(data, m);
        return metadata;
    }

    private static IEnumerable<(string Name, FeatureMatrix Matrix)> Entries(Module module) =>
        module.NamedParameters().Select(p => (p.Name, p.Parameter.Value)).Concat(module.NamedBuffers());
}
