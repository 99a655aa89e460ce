using System.Text;
using SpatiallySparse.Samples.Common;

namespace AssameseHandwriting;

/// <summary>The samples of one split, with their writers.</summary>
/// <param name="Samples">The characters.</param>
public sealed record AssameseSplit(IReadOnlyList<AssameseSample> Samples)
{
    /// <summary>Number of samples.</summary>
    public int Count => Samples.Count;

    /// <summary>The first <paramref name="count"/> samples in a fixed shuffled order (all when null or larger), so a subset spans every class.</summary>
    public AssameseSplit Take(int? count, int seed)
    {
        if (count is not int n || n >= Count)
            return this;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        AssameseSample[] shuffled = [.. Samples];
        new Random(seed).Shuffle(shuffled);
        return new AssameseSplit(shuffled[..n]);
    }
}

/// <summary>The UCI Online Handwritten Assamese Characters data set: where to find it, how to check and load it.</summary>
public static class AssameseData
{
    /// <summary>Folder of the writers' folders inside the data folder (the archive's own layout).</summary>
    public const string Root = "Online Handwritten Assamese Characters Dataset";

    /// <summary>Checksum list in the data folder: "sha256  Root/W{w}/{c}.{w}.txt" per file, sorted by path (ordinal).</summary>
    public const string ChecksumList = "SHA256SUMS";

    /// <summary>
    /// SHA-256 of <see cref="ChecksumList"/> for the 8236 files of the original archive (writer 6's stray copy
    /// included). UCI publishes no checksum of its zip, so instead of the archive's we pin the list of every
    /// unpacked file's SHA-256 by this one digest: embedding the 1 MB list itself would add nothing, as any
    /// changed, missing or extra file changes the digest of the list rebuilt from the files.
    /// </summary>
    public const string ChecksumListSha256 = "fb169287c8651d1527586df22ed3b2ea1c0ec63bd19fe5789af68e1b6a34cbe9";

    /// <summary>Writer 6's folder holds a copy of writer 5's character 15 (<c>W6/15.5.txt</c>): excluded, as by the set's author.</summary>
    public const string StrayFile = "W6/15.5.txt";

    /// <summary>The data set as <see cref="DataFolder"/> looks for it: folder <c>assamese</c>, the UCI zip (holding a RAR) as the download.</summary>
    public static DatasetSpec Spec { get; } = new("assamese", [], new DatasetArchive(
        [new Uri("https://archive.ics.uci.edu/static/public/208/online+handwritten+assamese+characters+dataset.zip")],
        Root + "/W1", Sha256: null, VerifyUnpacked: WriteVerifiedChecksumList));

    /// <summary>
    /// Loads every character under <paramref name="folder"/> (in parallel), skipping <see cref="StrayFile"/>;
    /// with <paramref name="verify"/>, checks every file against the checksum list first (see <see cref="ChecksumListSha256"/>).
    /// </summary>
    public static IReadOnlyList<AssameseSample> Load(string folder, bool verify = true, TextWriter? log = null)
    {
        string root = Path.Combine(folder, Root);
        if (!Directory.Exists(root))
            throw new DataUnavailableException($"'{folder}' has no '{Root}' folder: it is not the UCI Assamese data set.");
        string[] paths = [.. Directory.EnumerateFiles(root, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
        Dictionary<string, string>? expected = verify ? ReadChecksumList(folder) : null;
        if (expected is not null && expected.Count != paths.Length)
            throw new ChecksumMismatchException(root, $"{expected.Count} files", $"{paths.Length} files");
        AssameseSample?[] samples = new AssameseSample?[paths.Length];
        try
        {
            Parallel.For(0, paths.Length, i => samples[i] = LoadOne(folder, paths[i], expected));
        }
        catch (AggregateException e)
        {
            // Report the first bad file itself (its exception names it), not a wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        AssameseSample[] loaded = [.. samples.OfType<AssameseSample>()];
        log?.WriteLine($"Read {loaded.Length} characters of {loaded.Select(s => s.Writer).Distinct().Count()} writers (skipped the stray {StrayFile}).");
        return loaded;
    }

    private static AssameseSample? LoadOne(string folder, string path, Dictionary<string, string>? expected)
    {
        string relative = Relative(folder, path);
        byte[] bytes = File.ReadAllBytes(path);
        if (expected is not null)
        {
            if (!expected.TryGetValue(relative, out string? sha))
                throw new ChecksumMismatchException(path, "(not in the checksum list)", Checksums.Sha256(bytes));
            Checksums.Verify(path, bytes, sha);
        }
        if (relative.EndsWith(StrayFile, StringComparison.Ordinal))
            return null;
        AssameseSample sample = AssameseReader.Parse(path, bytes);
        // Any other file filed under another writer's folder would be a stray too; keep the split writer-independent.
        if (!Path.GetFileName(Path.GetDirectoryName(path))!.Equals($"W{sample.Writer}", StringComparison.Ordinal))
            throw new AssameseFormatException(path, 0, $"the name says writer {sample.Writer}, the folder another writer.");
        return sample;
    }

    /// <summary>Training samples (writers not in <paramref name="testWriters"/>) and test samples.</summary>
    public static (AssameseSplit Train, AssameseSplit Test) Split(IReadOnlyList<AssameseSample> samples, IReadOnlySet<int> testWriters)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(testWriters);
        return (new AssameseSplit([.. samples.Where(s => !testWriters.Contains(s.Writer))]), new AssameseSplit([.. samples.Where(s => testWriters.Contains(s.Writer))]));
    }

    /// <summary>Parses writer lists such as <c>37-45</c> or <c>1,5,40-45</c>.</summary>
    public static IReadOnlySet<int> ParseWriters(string text)
    {
        HashSet<int> writers = [];
        foreach (string part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] ends = part.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length is < 1 or > 2 || !int.TryParse(ends[0], out int from) || !int.TryParse(ends[^1], out int to) || from < 1 || to < from)
                throw new ArgumentException($"--test-writers '{text}': expected writer numbers or ranges such as 37-45 or 1,5,40-45.");
            for (int w = from; w <= to; w++)
                writers.Add(w);
        }
        if (writers.Count == 0)
            throw new ArgumentException($"--test-writers '{text}': no writers given.");
        return writers;
    }

    /// <summary>The checksum list text of the files under <paramref name="folder"/>/<see cref="Root"/>, in <see cref="ChecksumList"/>'s format.</summary>
    public static string BuildChecksumList(string folder)
    {
        StringBuilder list = new();
        foreach (string path in Directory.EnumerateFiles(Path.Combine(folder, Root), "*.txt", SearchOption.AllDirectories)
                     .Select(p => Relative(folder, p)).Order(StringComparer.Ordinal))
            list.Append(Checksums.Sha256(Path.Combine(folder, path))).Append("  ").Append(path).Append('\n');
        return list.ToString();
    }

    /// <summary>Verifies freshly unpacked files by the digest of their checksum list, then writes the list beside them.</summary>
    private static void WriteVerifiedChecksumList(string folder)
    {
        if (!Directory.Exists(Path.Combine(folder, Root)))
            throw new IOException($"The archive does not hold the folder '{Root}'.");
        string list = BuildChecksumList(folder);
        string digest = Checksums.Sha256(Encoding.ASCII.GetBytes(list));
        if (digest != ChecksumListSha256)
            throw new ChecksumMismatchException(Path.Combine(folder, Root), $"files whose {ChecksumList} has SHA-256 {ChecksumListSha256}", $"files whose list has SHA-256 {digest}");
        File.WriteAllText(Path.Combine(folder, ChecksumList), list, Encoding.ASCII);
    }

    private static Dictionary<string, string> ReadChecksumList(string folder)
    {
        string path = Path.Combine(folder, ChecksumList);
        if (!File.Exists(path))
        {
            // A hand-unpacked copy without the list: rebuild it from the files and check its digest.
            WriteVerifiedChecksumList(folder);
        }
        byte[] bytes = File.ReadAllBytes(path);
        Checksums.Verify(path, bytes, ChecksumListSha256);
        Dictionary<string, string> map = new(StringComparer.Ordinal);
        // The verified list is the canonical one, written with '\n' line ends.
        foreach (string line in Encoding.ASCII.GetString(bytes).Split('\n'))
            if (line.Length > 66)
                map[line[66..]] = line[..64];
        return map;
    }

    private static string Relative(string folder, string path) => Path.GetRelativePath(folder, path).Replace('\\', '/');
}
