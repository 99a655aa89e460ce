using System.Security.Cryptography;
using System.Text;

namespace SpatiallySparse.Serialization;

/// <summary>
/// The checksum manifest of a checkpoint (<c>checksums.sha256</c>, the format <c>sha256sum -c</c> reads): one
/// SHA-256 per file, computed from the bytes on disk after they were flushed, verified before anything is loaded.
/// </summary>
internal static class CheckpointChecksums
{
    public const string ManifestName = "checksums.sha256";

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> and flushes it to the disk.</summary>
    public static void WriteDurably(string path, string text)
    {
        using FileStream stream = new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        stream.Write(Encoding.UTF8.GetBytes(text));
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Hashes <paramref name="files"/> (names inside <paramref name="folder"/>) and writes the manifest last.</summary>
    public static void WriteManifest(string folder, IEnumerable<string> files)
    {
        StringBuilder manifest = new();
        foreach (string file in files)
            manifest.Append(Hash(Path.Combine(folder, file))).Append("  ").Append(file).Append('\n');
        WriteDurably(Path.Combine(folder, ManifestName), manifest.ToString());
    }

    /// <summary>Throws a <see cref="CheckpointException"/> naming the file unless every one of <paramref name="required"/> matches the manifest.</summary>
    public static void Verify(string folder, IEnumerable<string> required)
    {
        string manifestPath = Path.Combine(folder, ManifestName);
        if (!File.Exists(manifestPath))
            throw new CheckpointException($"Checkpoint '{folder}' is incomplete: '{manifestPath}' is missing.");
        Dictionary<string, string> expected = Read(manifestPath);
        foreach (string file in required)
        {
            string path = Path.Combine(folder, file);
            if (!expected.TryGetValue(file, out string? hash))
                throw new CheckpointException($"Checkpoint manifest '{manifestPath}' lists no checksum for '{file}': the manifest is corrupt.");
            if (!File.Exists(path))
                throw new CheckpointException($"Checkpoint file '{path}' is missing.");
            if (!string.Equals(Hash(path), hash, StringComparison.Ordinal))
                throw new CheckpointException($"Checkpoint file '{path}' fails its SHA-256 check: it is corrupt or truncated.");
        }
    }

    private static Dictionary<string, string> Read(string manifestPath)
    {
        Dictionary<string, string> hashes = new(StringComparer.Ordinal);
        foreach (string line in File.ReadAllLines(manifestPath))
        {
            int gap = line.IndexOf("  ", StringComparison.Ordinal);
            if (gap != 64)
                throw new CheckpointException($"Checkpoint manifest '{manifestPath}' has a malformed line '{line}': it is corrupt.");
            hashes[line[(gap + 2)..]] = line[..gap];
        }
        return hashes;
    }

    private static string Hash(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
