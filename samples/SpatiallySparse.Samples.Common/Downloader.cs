namespace SpatiallySparse.Samples.Common;

/// <summary>Fetches one file from a URL to a local path (replaceable in tests).</summary>
public interface IFileDownloader
{
    /// <summary>Downloads <paramref name="url"/> to <paramref name="destination"/>.</summary>
    Task DownloadAsync(Uri url, string destination, CancellationToken cancellationToken);
}

/// <summary>Downloads over HTTP(S) with <see cref="HttpClient"/>.</summary>
public sealed class HttpFileDownloader : IFileDownloader
{
    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromMinutes(5) };

    /// <inheritdoc/>
    public async Task DownloadAsync(Uri url, string destination, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await Client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using FileStream file = File.Create(destination);
        await response.Content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>No copy of the data could be found or fetched; the message says where it looked and what to do.</summary>
public sealed class DataUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DataUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>Fills a cache folder with a data set's files, each downloaded to a temporary name, verified, then renamed.</summary>
public static class DatasetDownloader
{
    /// <summary>Downloads every missing file of <paramref name="spec"/> into <paramref name="folder"/>.</summary>
    public static void Fill(DatasetSpec spec, string folder, IFileDownloader downloader, TextWriter log)
    {
        Directory.CreateDirectory(folder);
        foreach (DatasetFile file in spec.Files)
        {
            string target = Path.Combine(folder, file.FileName);
            if (file.Find(folder) is not null)
                continue;
            FetchOne(file, target, downloader, log);
        }
        if (spec.Archive is { } archive && !archive.IsPresentIn(folder))
            FetchArchive(archive, folder, downloader, log);
    }

    /// <summary>
    /// Downloads the archive, checks its SHA-256 when known, unpacks it into a scratch folder, verifies the unpacked
    /// files, and only then moves them into <paramref name="folder"/>, so a failed attempt leaves nothing half-done.
    /// </summary>
    private static void FetchArchive(DatasetArchive archive, string folder, IFileDownloader downloader, TextWriter log)
    {
        string scratch = Path.Combine(folder, ".download");
        List<string> failures = [];
        foreach (Uri url in archive.Urls)
        {
            try
            {
                if (Directory.Exists(scratch))
                    Directory.Delete(scratch, recursive: true);
                Directory.CreateDirectory(scratch);
                string download = Path.Combine(scratch, Path.GetFileName(url.LocalPath) is { Length: > 0 } name ? name : "archive");
                log.WriteLine($"Downloading {url} ...");
                downloader.DownloadAsync(url, download, CancellationToken.None).GetAwaiter().GetResult();
                if (archive.Sha256 is not null)
                    Checksums.Verify(download, archive.Sha256);
                string unpacked = Path.Combine(scratch, "unpacked");
                log.WriteLine($"Unpacking {ArchiveExtractor.ExtractAll(download, unpacked)} files ...");
                archive.VerifyUnpacked(unpacked);
                foreach (string entry in Directory.EnumerateFileSystemEntries(unpacked))
                {
                    string target = Path.Combine(folder, Path.GetFileName(entry));
                    if (Directory.Exists(entry))
                        Directory.Move(entry, target);
                    else
                        File.Move(entry, target, overwrite: true);
                }
                Directory.Delete(scratch, recursive: true);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
            {
                failures.Add($"{url}: {e.Message}");
            }
        }
        if (Directory.Exists(scratch))
            Directory.Delete(scratch, recursive: true);
        throw new DataUnavailableException(
            $"Could not download and unpack the data set (is this machine offline?). Tried:\n  {string.Join("\n  ", failures)}\n" +
            $"Unpack it by hand into {folder} (it must hold '{archive.MarkerPath}'), or pass --data DIR (or set {DataFolder.EnvironmentVariable}) to a folder that holds it.");
    }

    private static void FetchOne(DatasetFile file, string target, IFileDownloader downloader, TextWriter log)
    {
        List<string> failures = [];
        foreach (Uri url in file.Urls)
        {
            string temporary = target + ".part";
            try
            {
                log.WriteLine($"Downloading {url} ...");
                downloader.DownloadAsync(url, temporary, CancellationToken.None).GetAwaiter().GetResult();
                Checksums.Verify(temporary, file.Sha256);
                File.Move(temporary, target, overwrite: true);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
            {
                failures.Add($"{url}: {e.Message}");
                File.Delete(temporary);
            }
        }
        throw new DataUnavailableException(
            $"Could not download {file.FileName} (is this machine offline?). Tried:\n  {string.Join("\n  ", failures)}\n" +
            $"Copy the file by hand to {target}, or pass --data DIR (or set {DataFolder.EnvironmentVariable}) to a folder that holds it.");
    }
}
