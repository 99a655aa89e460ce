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

/// <summary>
/// A data set distributed as one archive (which may hold further archives), unpacked into the data folder.
/// </summary>
/// <param name="Urls">Mirrors tried in order.</param>
/// <param name="MarkerPath">A file or folder, relative to the data folder, whose presence means the archive is unpacked there.</param>
/// <param name="Sha256">SHA-256 of the archive when known, else null (then <paramref name="VerifyUnpacked"/> must check the contents).</param>
/// <param name="VerifyUnpacked">Checks the unpacked files in the folder given (throws <see cref="IOException"/> when they are wrong).</param>
public sealed record DatasetArchive(IReadOnlyList<Uri> Urls, string MarkerPath, string? Sha256, Action<string> VerifyUnpacked)
{
    /// <summary>True when <see cref="MarkerPath"/> exists in <paramref name="folder"/>.</summary>
    public bool IsPresentIn(string folder) => Path.Exists(Path.Combine(folder, MarkerPath));
}

/// <summary>A data set: a folder name (e.g. <c>mnist</c>) and the files (or the archive) that make it complete.</summary>
/// <param name="Name">Folder name under a data root and in the cache.</param>
/// <param name="Files">The files, with checksums and download addresses.</param>
/// <param name="Archive">The archive whose unpacked contents the folder must also hold, or null.</param>
public sealed record DatasetSpec(string Name, IReadOnlyList<DatasetFile> Files, DatasetArchive? Archive = null)
{
    /// <summary>True when every file exists in <paramref name="folder"/> in one of its forms, and the archive is unpacked there (checksums are verified when reading).</summary>
    public bool IsPresentIn(string folder) => Files.All(f => f.Find(folder) is not null) && (Archive is null || Archive.IsPresentIn(folder));

    /// <summary>What <paramref name="folder"/> lacks, by name (empty when complete).</summary>
    public IReadOnlyList<string> MissingIn(string folder) =>
        [.. Files.Where(f => f.Find(folder) is null).Select(f => f.FileName), .. Archive is not null && !Archive.IsPresentIn(folder) ? [Archive.MarkerPath] : Array.Empty<string>()];
}
