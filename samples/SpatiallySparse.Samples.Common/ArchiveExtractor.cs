using SharpCompress.Archives;

namespace SpatiallySparse.Samples.Common;

/// <summary>Unpacks an archive (zip, rar, 7z, tar, ... through SharpCompress), and any archives found inside it, into a folder.</summary>
public static class ArchiveExtractor
{
    private static readonly string[] NestedExtensions = [".zip", ".rar", ".7z", ".tar"];

    /// <summary>
    /// Extracts every file of <paramref name="archive"/> under <paramref name="destination"/>, keeping the
    /// archive's folders; archives inside it are extracted next to themselves and deleted (data sets such as
    /// UCI's ship a zip holding a RAR). Returns the number of files written.
    /// </summary>
    public static int ExtractAll(string archive, string destination, int depth = 0)
    {
        if (depth > 3)
            throw new IOException($"'{archive}' nests archives more than 3 deep; refusing to go on.");
        string root = Path.GetFullPath(destination);
        Directory.CreateDirectory(root);
        List<string> written = [];
        try
        {
            using IArchive opened = ArchiveFactory.OpenArchive(archive);
            foreach (IArchiveEntry entry in opened.Entries)
            {
                if (entry.IsDirectory || string.IsNullOrEmpty(entry.Key))
                    continue;
                string target = Path.GetFullPath(Path.Combine(root, entry.Key.Replace('\\', '/')));
                // An entry named "../x" must not escape the folder ("zip slip").
                if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    throw new IOException($"'{archive}' holds an entry outside its folder: '{entry.Key}'.");
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using (Stream source = entry.OpenEntryStream())
                using (FileStream file = File.Create(target))
                    source.CopyTo(file);
                written.Add(target);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or NotSupportedException or ArgumentException)
        {
            throw new IOException($"Could not unpack '{archive}': {e.Message}", e);
        }
        int count = 0;
        foreach (string file in written)
        {
            if (NestedExtensions.Contains(Path.GetExtension(file).ToLowerInvariant()))
            {
                count += ExtractAll(file, Path.GetDirectoryName(file)!, depth + 1);
                File.Delete(file);
            }
            else
                count++;
        }
        return count;
    }
}
