namespace SpatiallySparse.Samples.Common;

/// <summary>Where a data folder was found.</summary>
public enum DataSource
{
    /// <summary>The <c>--data</c> option.</summary>
    Option,

    /// <summary>The <see cref="DataFolder.EnvironmentVariable"/> variable.</summary>
    Environment,

    /// <summary>A <c>shared/data/NAME</c> folder above the current directory or the executable.</summary>
    SharedFolder,

    /// <summary>The per-user cache, filled by a download when needed.</summary>
    Cache,
}

/// <summary>Finds a data set's folder, in a fixed order, and downloads it into the cache as the last resort.</summary>
public sealed class DataFolder
{
    /// <summary>Environment variable naming a data root (holding NAME/) or the data set's folder itself.</summary>
    public const string EnvironmentVariable = "SPATIALLYSPARSE_DATA";

    /// <summary>
    /// Creates a locator; the defaults read the real environment and download over HTTP. The search for
    /// <c>shared/data/NAME</c> walks up from each of <paramref name="searchStarts"/> but never above
    /// <paramref name="searchRoot"/> (null: up to the file-system root); a start outside the root is searched alone.
    /// Tests pass their own folder, so a data set elsewhere on the machine cannot change their outcome.
    /// </summary>
    public DataFolder(Func<string, string?>? environment = null, IReadOnlyList<string>? searchStarts = null, string? cacheRoot = null,
        IFileDownloader? downloader = null, TextWriter? log = null, string? searchRoot = null)
    {
        SearchRoot = searchRoot is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(searchRoot));
        Environment = environment ?? System.Environment.GetEnvironmentVariable;
        SearchStarts = searchStarts ?? [Directory.GetCurrentDirectory(), AppContext.BaseDirectory];
        CacheRoot = cacheRoot ?? DefaultCacheRoot();
        Downloader = downloader ?? new HttpFileDownloader();
        Log = log ?? Console.Error;
    }

    private Func<string, string?> Environment { get; }

    private IReadOnlyList<string> SearchStarts { get; }

    /// <summary>The highest folder the <c>shared/data</c> search looks in, or null for none (the file-system root).</summary>
    public string? SearchRoot { get; }

    /// <summary>Folder under which data sets are cached (one sub-folder per data set).</summary>
    public string CacheRoot { get; }

    private IFileDownloader Downloader { get; }

    private TextWriter Log { get; }

    /// <summary>
    /// The folder of <paramref name="spec"/>: <paramref name="option"/> when given (it must hold the files), else the
    /// environment variable, else <c>shared/data/NAME</c> in the current directory, the executable's folder or any
    /// folder above them, else the cache (downloading what is missing).
    /// </summary>
    public (string Path, DataSource Source) Locate(DatasetSpec spec, string? option)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (option is not null)
            return (RequireComplete(spec, option, "--data"), DataSource.Option);
        string? variable = Environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(variable))
        {
            string nested = Path.Combine(variable, spec.Name);
            return (RequireComplete(spec, spec.IsPresentIn(nested) ? nested : variable, EnvironmentVariable), DataSource.Environment);
        }
        foreach (string start in SearchStarts)
            foreach (string folder in SearchedFolders(start))
            {
                string candidate = Path.Combine(folder, "shared", "data", spec.Name);
                if (spec.IsPresentIn(candidate))
                    return (candidate, DataSource.SharedFolder);
            }
        string cache = Path.Combine(CacheRoot, spec.Name);
        DatasetDownloader.Fill(spec, cache, Downloader, Log);
        return (cache, DataSource.Cache);
    }

    /// <summary><paramref name="start"/> and the folders above it, up to <see cref="SearchRoot"/> when it lies under that.</summary>
    private IEnumerable<string> SearchedFolders(string start)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(start));
        bool under = SearchRoot is null || full == SearchRoot || full.StartsWith(SearchRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        if (!under)
        {
            yield return full;
            yield break;
        }
        for (DirectoryInfo? d = new(full); d is not null; d = d.Parent)
        {
            yield return d.FullName;
            if (Path.TrimEndingDirectorySeparator(d.FullName) == SearchRoot)
                yield break;
        }
    }

    private static string RequireComplete(DatasetSpec spec, string folder, string origin)
    {
        if (!Directory.Exists(folder))
            throw new DataUnavailableException($"The data folder '{folder}' (from {origin}) does not exist.");
        IReadOnlyList<string> missing = spec.MissingIn(folder);
        if (missing.Count > 0)
            throw new DataUnavailableException($"The data folder '{folder}' (from {origin}) lacks {string.Join(", ", missing)}.");
        return folder;
    }

    private static string DefaultCacheRoot()
    {
        string? xdg = System.Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "spatiallysparse");
    }
}
