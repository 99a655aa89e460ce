using SpatiallySparse.Samples.Common;

namespace SpatiallySparse.Samples.Tests;

/// <summary>A downloader that never touches the network: it writes, copies or fails as the test says, and counts its calls.</summary>
internal sealed class FakeDownloader(Action<string> fetch) : IFileDownloader
{
    public int Calls { get; private set; }

    /// <summary>Fails every download, as a machine without network does.</summary>
    public static FakeDownloader Offline(string message = "tests never download") => Failing(new HttpRequestException(message));

    /// <summary>Throws <paramref name="failure"/> on every download.</summary>
    public static FakeDownloader Failing(Exception failure) => new(_ => throw failure);

    /// <summary>"Downloads" <paramref name="content"/> as text.</summary>
    public static FakeDownloader Text(string content) => new(destination => File.WriteAllText(destination, content));

    /// <summary>"Downloads" a copy of the file at <paramref name="source"/>.</summary>
    public static FakeDownloader Copy(string source) => new(destination => File.Copy(source, destination, overwrite: true));

    public Task DownloadAsync(Uri url, string destination, CancellationToken cancellationToken)
    {
        Calls++;
        fetch(destination);
        return Task.CompletedTask;
    }
}
