namespace SpatiallySparse.Samples.Common;

/// <summary>One file of a data set: its name in the data folder, its SHA-256 and where to download it.</summary>
/// <param name="FileName">Name inside the data folder.</param>
/// <param name="Sha256">Canonical SHA-256, lower-case hex.</param>
/// <param name="Urls">Mirrors tried in order.</param>
/// <param name="AlternativeName">Another accepted form of the file (e.g. decompressed), or null.</param>
/// <param name="AlternativeSha256">SHA-256 of the alternative form.</param>
public sealed record DatasetFile(string FileName, string Sha256, IReadOnlyList<Uri> Urls, string? AlternativeName = null, string? AlternativeSha256 = null)
{
    /// <summary>The path of this file in <paramref name="folder"/> with its expected SHA-256, or null when absent.</summary>
    public (string Path, string Sha256)? Find(string folder)
    {
        string main = System.IO.Path.Combine(folder, FileName);
        if (File.Exists(main))
            return (main, Sha256);
        if (AlternativeName is not null && AlternativeSha256 is not null && File.Exists(System.IO.Path.Combine(folder, AlternativeName)))
            return (System.IO.Path.Combine(folder, AlternativeName), AlternativeSha256);
        return null;
    }
}

/// <summary>A data set: a folder name (e.g. <c>mnist</c>) and the files that make it complete.</summary>
/// <param name="Name">Folder name under a data root and in the cache.</param>
/// <param name="Files">The files, with checksums and download addresses.</param>
public sealed record DatasetSpec(string Name, IReadOnlyList<DatasetFile> Files)
{
    /// <summary>True when every file exists in <paramref name="folder"/> in one of its forms (checksums are verified when reading).</summary>
    public bool IsPresentIn(string folder) => Files.All(f => f.Find(folder) is not null);
}
