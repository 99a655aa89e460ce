using NUnit.Framework;
using SpatiallySparse.Samples.Common;

namespace SpatiallySparse.Samples.Tests;

[TestFixture]
public sealed class DataFolderTests
{
    private const string HelloSha256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    private static readonly DatasetSpec Spec = new("toy", [new DatasetFile("a.txt", HelloSha256, [new Uri("https://example.invalid/a.txt")])]);

    private static string MakeDataset(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "a.txt"), "hello");
        return folder;
    }

    [Test]
    public void SearchOrderIsOptionThenEnvironmentThenSharedThenCache()
    {
        using TempFolder temp = new();
        string option = MakeDataset(temp.File("option"));
        string env = MakeDataset(Path.Combine(temp.File("env"), "toy"));
        string shared = MakeDataset(Path.Combine(temp.Path, "shared", "data", "toy"));
        string start = Directory.CreateDirectory(Path.Combine(temp.Path, "repo", "samples", "x")).FullName;
        FakeDownloader downloader = FakeDownloader.Text("hello");
        DataFolder withEnv = new(_ => temp.File("env"), [start], temp.File("cache"), downloader, TextWriter.Null);
        DataFolder withoutEnv = new(_ => null, [start], temp.File("cache"), downloader, TextWriter.Null);
        using TempFolder elsewhere = new();
        DataFolder nothingFound = new(_ => null, [elsewhere.Path], temp.File("cache"), downloader, TextWriter.Null);

        Assert.That(withEnv.Locate(Spec, option), Is.EqualTo((option, DataSource.Option)));
        Assert.That(withEnv.Locate(Spec, null), Is.EqualTo((env, DataSource.Environment)));
        Assert.That(withoutEnv.Locate(Spec, null), Is.EqualTo((shared, DataSource.SharedFolder)));
        Assert.That(downloader.Calls, Is.Zero);
        Assert.That(nothingFound.Locate(Spec, null), Is.EqualTo((Path.Combine(temp.File("cache"), "toy"), DataSource.Cache)));
        Assert.That(downloader.Calls, Is.EqualTo(1));
        Assert.That(nothingFound.Locate(Spec, null).Source, Is.EqualTo(DataSource.Cache));
        Assert.That(downloader.Calls, Is.EqualTo(1), "a filled cache is not downloaded again");
    }

    [Test]
    public void EnvironmentVariableMayNameTheDatasetFolderItself()
    {
        using TempFolder temp = new();
        string direct = MakeDataset(temp.File("direct"));
        DataFolder locator = new(_ => direct, [temp.Path], temp.File("cache"), FakeDownloader.Offline(), TextWriter.Null, searchRoot: temp.Path);
        Assert.That(locator.Locate(Spec, null), Is.EqualTo((direct, DataSource.Environment)));
    }

    [Test]
    public void IncompleteOptionFolderIsAnError()
    {
        using TempFolder temp = new();
        DataFolder locator = new(_ => null, [temp.Path], temp.File("cache"), FakeDownloader.Offline(), TextWriter.Null, searchRoot: temp.Path);
        Assert.That(() => locator.Locate(Spec, temp.Path), Throws.TypeOf<DataUnavailableException>().With.Message.Contain("lacks a.txt"));
        Assert.That(() => locator.Locate(Spec, temp.File("missing")), Throws.TypeOf<DataUnavailableException>().With.Message.Contain("does not exist"));
    }

    [Test]
    public void OfflineDownloadGivesAClearMessage()
    {
        using TempFolder temp = new();
        DataFolder locator = new(_ => null, [temp.Path], temp.File("cache"), FakeDownloader.Offline("Name or service not known"), TextWriter.Null, searchRoot: temp.Path);
        DataUnavailableException e = Assert.Throws<DataUnavailableException>(() => locator.Locate(Spec, null))!;
        Assert.That(e.Message, Does.Contain("offline").And.Contain("Name or service not known").And.Contain("--data"));
        Assert.That(Directory.GetFiles(Path.Combine(temp.File("cache"), "toy")), Is.Empty, "no partial file is left behind");
    }

    [Test]
    public void DownloadWithWrongChecksumIsRejected()
    {
        using TempFolder temp = new();
        DataFolder locator = new(_ => null, [temp.Path], temp.File("cache"), FakeDownloader.Text("tampered"), TextWriter.Null, searchRoot: temp.Path);
        DataUnavailableException e = Assert.Throws<DataUnavailableException>(() => locator.Locate(Spec, null))!;
        Assert.That(e.Message, Does.Contain("SHA-256"));
        Assert.That(File.Exists(Path.Combine(temp.File("cache"), "toy", "a.txt")), Is.False);
    }
}
