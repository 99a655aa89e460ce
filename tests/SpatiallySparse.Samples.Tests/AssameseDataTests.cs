using System.IO.Compression;
using AssameseHandwriting;
using NUnit.Framework;
using SpatiallySparse.Samples.Common;

namespace SpatiallySparse.Samples.Tests;

[TestFixture]
public sealed class AssameseDataTests
{
    [Test]
    public void LoadSkipsTheStrayFileAndSplitsByWriter()
    {
        using TempFolder temp = new();
        AssameseFiles.WriteFolder(temp.Path, [(5, 15), (6, 15), (6, 1), (37, 2), (40, 3)], (_, _) => AssameseFiles.Text("A", AssameseFiles.TwoStrokes()));
        // W6/15.5.txt: writer 5's character filed under writer 6.
        File.Copy(Path.Combine(temp.Path, AssameseData.Root, "W5", "15.5.txt"), Path.Combine(temp.Path, AssameseData.Root, "W6", "15.5.txt"));
        IReadOnlyList<AssameseSample> all = AssameseData.Load(temp.Path, verify: false);
        Assert.That(all.Select(s => (s.Writer, s.Label)).Order(), Is.EqualTo(new[] { (5, 14), (6, 0), (6, 14), (37, 1), (40, 2) }));

        (AssameseSplit train, AssameseSplit test) = AssameseData.Split(all, AssameseData.ParseWriters("37-45"));
        Assert.That(train.Samples.Select(s => s.Writer), Is.All.LessThan(37));
        Assert.That(test.Samples.Select(s => s.Writer).Order(), Is.EqualTo(new[] { 37, 40 }));
        Assert.That(train.Take(2, seed: 1).Count, Is.EqualTo(2));
    }

    [Test]
    public void AFileUnderAnotherWritersFolderIsAnError()
    {
        using TempFolder temp = new();
        AssameseFiles.WriteFolder(temp.Path, [(2, 3)], (_, _) => AssameseFiles.Text("A", AssameseFiles.TwoStrokes()));
        File.Move(Path.Combine(temp.Path, AssameseData.Root, "W2", "3.2.txt"), Path.Combine(temp.Path, AssameseData.Root, "W2", "3.7.txt"));
        AssameseFormatException e = Assert.Throws<AssameseFormatException>(() => AssameseData.Load(temp.Path, verify: false))!;
        Assert.That(e.Message, Does.Contain("3.7.txt").And.Contain("writer 7"));
    }

    [TestCase("37-45", new[] { 37, 38, 39, 40, 41, 42, 43, 44, 45 })]
    [TestCase("1, 5,40-41", new[] { 1, 5, 40, 41 })]
    public void WriterListsParse(string text, int[] expected) => Assert.That(AssameseData.ParseWriters(text).Order(), Is.EqualTo(expected));

    [TestCase("")]
    [TestCase("45-37")]
    [TestCase("a")]
    [TestCase("0")]
    public void BadWriterListsAreRejected(string text) => Assert.Throws<ArgumentException>(() => AssameseData.ParseWriters(text));

    [Test]
    public void ChecksumListOfOtherFilesIsRejected()
    {
        using TempFolder temp = new();
        AssameseFiles.WriteFolder(temp.Path, [(1, 1)], (_, _) => AssameseFiles.Text("A", AssameseFiles.TwoStrokes()));
        Assert.That(AssameseData.BuildChecksumList(temp.Path), Does.EndWith($"  {AssameseData.Root}/W1/1.1.txt\n"));
        Assert.Throws<ChecksumMismatchException>(() => AssameseData.Load(temp.Path, verify: true));
    }

    [Test]
    public void DownloadUnpacksNestedArchivesThenRejectsContentsThatFailTheChecksums()
    {
        using TempFolder temp = new();
        // A zip holding a zip holding the files: the layout of UCI's download (a zip holding a RAR).
        string files = temp.File("files");
        AssameseFiles.WriteFolder(files, [(1, 1), (2, 1)], (_, _) => AssameseFiles.Text("A", AssameseFiles.TwoStrokes()));
        Directory.CreateDirectory(temp.File("outer"));
        ZipFile.CreateFromDirectory(files, temp.File("outer/inner.zip"));
        ZipFile.CreateFromDirectory(temp.File("outer"), temp.File("download.zip"));
        Assert.That(ArchiveExtractor.ExtractAll(temp.File("download.zip"), temp.File("unpacked")), Is.EqualTo(2));
        Assert.That(File.Exists(Path.Combine(temp.File("unpacked"), AssameseData.Root, "W2", "1.2.txt")), Is.True);

        DataFolder locator = new(_ => null, [temp.File("nowhere")], temp.File("cache"), FakeDownloader.Copy(temp.File("download.zip")), TextWriter.Null, searchRoot: temp.Path);
        DataUnavailableException e = Assert.Throws<DataUnavailableException>(() => locator.Locate(AssameseData.Spec, null))!;
        Assert.That(e.Message, Does.Contain("SHA-256").And.Contain("--data"));
        Assert.That(Directory.Exists(Path.Combine(temp.File("cache"), "assamese", AssameseData.Root)), Is.False, "nothing half-verified is left in the cache");
    }

    [Test]
    public void OfflineDownloadGivesAClearMessage()
    {
        using TempFolder temp = new();
        DataFolder locator = new(_ => null, [temp.File("nowhere")], temp.File("cache"), FakeDownloader.Offline("no route to host"), TextWriter.Null, searchRoot: temp.Path);
        DataUnavailableException e = Assert.Throws<DataUnavailableException>(() => locator.Locate(AssameseData.Spec, null))!;
        Assert.That(e.Message, Does.Contain("offline").And.Contain("no route to host").And.Contain("--data"));
    }

    [Test]
    public void TheSharedFolderSearchNeverLooksAboveItsRoot()
    {
        // Issue 16: a shared/data/assamese above the system temp folder used to be found by the tests' search.
        using TempFolder temp = new();
        AssameseFiles.WriteFolder(temp.File("shared/data/assamese"), [(1, 1)], (_, _) => AssameseFiles.Text("A", AssameseFiles.TwoStrokes()));
        Directory.CreateDirectory(temp.File("test/work"));
        DataFolder walled = new(_ => null, [temp.File("test/work")], temp.File("cache"), FakeDownloader.Offline("offline"), TextWriter.Null, searchRoot: temp.File("test"));
        Assert.Throws<DataUnavailableException>(() => walled.Locate(AssameseData.Spec, null));
        DataFolder open = new(_ => null, [temp.File("test/work")], temp.File("cache"), FakeDownloader.Offline("offline"), TextWriter.Null, searchRoot: temp.Path);
        Assert.That(open.Locate(AssameseData.Spec, null), Is.EqualTo((temp.File("shared/data/assamese"), DataSource.SharedFolder)));
    }

    [Test]
    public void FolderFromOptionMustHoldTheDataSet()
    {
        using TempFolder temp = new();
        DataFolder locator = new(_ => null, [temp.Path], temp.File("cache"), FakeDownloader.Offline("offline"), TextWriter.Null, searchRoot: temp.Path);
        DataUnavailableException e = Assert.Throws<DataUnavailableException>(() => locator.Locate(AssameseData.Spec, temp.Path))!;
        Assert.That(e.Message, Does.Contain(AssameseData.Root));
        AssameseFiles.WriteFolder(temp.File("shared/data/assamese"), [(1, 1)], (_, _) => AssameseFiles.Text("A", AssameseFiles.TwoStrokes()));
        Assert.That(locator.Locate(AssameseData.Spec, null), Is.EqualTo((temp.File("shared/data/assamese"), DataSource.SharedFolder)));
    }
}
