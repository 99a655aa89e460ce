using System.Diagnostics;
using AssameseHandwriting;
using MnistDeepCNet;
using NUnit.Framework;
using PointCloudSegmentation;
using SpatiallySparse.Samples.Common;

namespace SpatiallySparse.Samples.Tests;

/// <summary>
/// Every option of every sample is checked before any data is loaded or generated (issue 16). The data folder given
/// is missing, so a check that came after the data would fail with a <see cref="DataUnavailableException"/> instead
/// of the option's message.
/// </summary>
[TestFixture]
public sealed class OptionChecksTests
{
    private static IReadOnlyList<RunHistory> Mnist(TempFolder temp, Func<MnistOptions, MnistOptions> change) =>
        MnistApp.Run(change(new MnistOptions { Data = temp.File("no-data"), Out = temp.File("out") }), new TextReporter(TextWriter.Null), Locator(temp), CancellationToken.None);

    private static IReadOnlyList<RunHistory> Assamese(TempFolder temp, Func<AssameseOptions, AssameseOptions> change) =>
        AssameseApp.Run(change(new AssameseOptions { Data = temp.File("no-data"), Out = temp.File("out") }), new TextReporter(TextWriter.Null), Locator(temp), CancellationToken.None);

    private static SegmentationResult PointCloud(TempFolder temp, Func<SegmentationOptions, SegmentationOptions> change) =>
        SegmentationApp.Run(change(new SegmentationOptions { Out = temp.File("out") }), new TextReporter(TextWriter.Null));

    private static DataFolder Locator(TempFolder temp) => new(_ => null, [temp.Path], temp.File("cache"), FakeDownloader.Offline(), TextWriter.Null, searchRoot: temp.Path);

    private static readonly (string Option, Func<MnistOptions, MnistOptions> Change)[] BadMnist =
    [
        ("--train-subset -5: expected 1 to", o => o with { TrainSubset = -5 }),
        ("--test-subset -1: expected 1 to", o => o with { TestSubset = -1 }),
        ("--threads 100000: expected 0 to 256", o => o with { Threads = 100000 }),
        ("--batch 0: expected 1 to", o => o with { Batch = 0 }),
        ("--epochs -1: expected 0 to", o => o with { Epochs = -1 }),
        ("--lr NaN: expected", o => o with { LearningRate = float.NaN }),
        ("--momentum 1: expected 0 to", o => o with { Momentum = 1f }),
        ("--l 0: expected 1 to 8", o => o with { L = 0 }),
        ("--threshold -0.5: expected 0 to", o => o with { Threshold = -0.5f }),
        ("--backend 'tpu'", o => o with { Backend = "tpu" }),
        ("--dropout 'half'", o => o with { Dropout = "half" }),
        ("--dropout-scaling 'both': expected test", o => o with { DropoutScaling = "both" }),
        ("--network 'resnet': expected deepcnet or simple-cnn", o => o with { Architecture = "resnet" }),
        ("--network simple-cnn trains the plain dense CNN alone", o => o with { Architecture = "simple-cnn" }),
        ("--override-settings: applies only with --resume", o => o with { OverrideSettings = true }),
        ("--backend gpu runs the sparse network only", o => o with { Backend = "gpu" }),
    ];

    private static readonly (string Option, Func<AssameseOptions, AssameseOptions> Change)[] BadAssamese =
    [
        ("--render -1: expected 0 to", o => o with { Render = -1 }),
        ("--train-subset -5: expected 1 to", o => o with { TrainSubset = -5 }),
        ("--threads 100000: expected 0 to 256", o => o with { Threads = 100000 }),
        ("--scale 64: expected 0.001 to 23 cells: a character 64 cells across does not fit the 23x23 grid", o => o with { Widths = "8,16" }),
        ("--scale 1E+07: expected", o => o with { Scale = 1e7f }),
        ("--k 0: expected 1 to", o => o with { K = 0 }),
        ("--weight-decay -1: expected 0 to 1", o => o with { WeightDecay = -1f }),
        ("--test-writers", o => o with { TestWriters = "45-37" }),
    ];

    private static readonly (string Option, Func<SegmentationOptions, SegmentationOptions> Change)[] BadPointCloud =
    [
        ("--resolution 8: expected 16 to 256", o => o with { Resolution = 8 }),
        ("--resolution 40 must be a multiple of 16 for 5 U-Net levels", o => o with { Resolution = 40 }),
        ("--widths '': expected 1 to 8 U-Net levels", o => o with { Widths = [] }),
        ("--widths '8,0': a width 0: expected 1 to 1024", o => o with { Widths = [8, 0] }),
        ("--slice-height 64: expected -1 to 63", o => o with { SliceHeight = 64 }),
        ("--repetitions 0: expected 1 to", o => o with { Repetitions = 0 }),
        ("--stop-after -1: expected 0 to", o => o with { StopAfter = -1 }),
        ("--lr NaN: expected", o => o with { LearningRate = float.NaN }),
        ("--test-scenes 0: expected 1 to", o => o with { TestScenes = 0 }),
        ("--train-scenes 200000: expected 1 to 125000 for 8 epochs", o => o with { TrainScenes = 200_000, Epochs = 8 }),
        ("--batch 0: expected 1 to", o => o with { Batch = 0 }),
        ("--epochs -1: expected 0 to", o => o with { Epochs = -1 }),
        ("--threads 100000: expected 0 to 256", o => o with { Threads = 100000 }),
        ("--resume needs --checkpoint", o => o with { Resume = true }),
    ];

    [TestCaseSource(nameof(MnistCases))]
    public void MnistRefusesABadOptionBeforeLoadingData(string message, Func<MnistOptions, MnistOptions> change)
    {
        using TempFolder temp = new();
        Assert.That(() => Mnist(temp, change), Throws.InstanceOf<ArgumentException>().With.Message.Contains(message));
    }

    [TestCaseSource(nameof(AssameseCases))]
    public void AssameseRefusesABadOptionBeforeLoadingData(string message, Func<AssameseOptions, AssameseOptions> change)
    {
        using TempFolder temp = new();
        Assert.That(() => Assamese(temp, change), Throws.InstanceOf<ArgumentException>().With.Message.Contains(message));
    }

    [TestCaseSource(nameof(PointCloudCases))]
    public void PointCloudRefusesABadOptionBeforeGeneratingScenes(string message, Func<SegmentationOptions, SegmentationOptions> change)
    {
        using TempFolder temp = new();
        Assert.That(() => PointCloud(temp, change), Throws.InstanceOf<ArgumentException>().With.Message.Contains(message));
    }

    [Test]
    public void PointCloudNamesABadWidthsList() =>
        Assert.That(() => SegmentationOptions.ParseWidths("8,x"), Throws.ArgumentException.With.Message.Contains("--widths '8,x': expected comma-separated channel counts"));

    [Test]
    public void DistributedMnistRefusesABadOptionBeforeStartingMpi()
    {
        // A check inside the MPI job would end the rank with an MPI abort ("ending the job"); before it, with the message.
        using TempFolder temp = new();
        string sample = RepositoryFiles.Built("samples/Mnist.DeepCNet", "Mnist.DeepCNet.dll");
        ProcessStartInfo start = new("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])[sample, "--distributed", "--batch", "0", "--data", temp.File("no-data"), "--out", temp.File("out")])
            start.ArgumentList.Add(arg);
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "refused at once");
        string log = output.Result + error;
        Assert.That(process.ExitCode, Is.EqualTo(1), log);
        Assert.That(log, Does.Contain("error: --batch 0: expected 1 to").And.Not.Contain("ending the job"));
    }

    [Test]
    public void UnwritableOutAndCheckpointFoldersFailBeforeTheData()
    {
        using TempFolder temp = new();
        File.WriteAllText(temp.File("a-file"), "not a folder");
        string blocked = temp.File("a-file/sub");
        Assert.That(() => Mnist(temp, o => o with { Out = blocked }), Throws.ArgumentException.With.Message.Contains($"--out '{blocked}': the folder cannot be created or written"));
        Assert.That(() => Mnist(temp, o => o with { Checkpoint = blocked }), Throws.ArgumentException.With.Message.Contains($"--checkpoint '{blocked}'"));
        Assert.That(() => Assamese(temp, o => o with { Out = blocked }), Throws.ArgumentException.With.Message.Contains("--out"));
        Assert.That(() => Assamese(temp, o => o with { Checkpoint = blocked }), Throws.ArgumentException.With.Message.Contains("--checkpoint"));
        Assert.That(() => PointCloud(temp, o => o with { Out = blocked }), Throws.ArgumentException.With.Message.Contains("--out"));
        Assert.That(() => PointCloud(temp, o => o with { CheckpointFolder = blocked }), Throws.ArgumentException.With.Message.Contains("--checkpoint"));
        // With good options the same run reaches the data, which is missing: the checks above ran first, not instead.
        Assert.That(() => Mnist(temp, o => o), Throws.InstanceOf<DataUnavailableException>());
    }

    [Test]
    public void ResumeNeedsACheckpointFolderThatHoldsACheckpoint()
    {
        using TempFolder temp = new();
        Assert.That(() => Mnist(temp, o => o with { Resume = true }), Throws.ArgumentException.With.Message.Contains("--resume needs --checkpoint"));
        Directory.CreateDirectory(temp.File("empty/sparse"));
        Assert.That(() => Mnist(temp, o => o with { Resume = true, Checkpoint = temp.File("empty") }),
            Throws.ArgumentException.With.Message.Contains("--resume: '").And.Message.Contains("holds no checkpoint"));
        Assert.That(() => Assamese(temp, o => o with { Resume = true, Checkpoint = temp.File("empty") }), Throws.ArgumentException.With.Message.Contains("holds no checkpoint"));
        Assert.That(() => PointCloud(temp, o => o with { Resume = true, CheckpointFolder = temp.File("empty") }), Throws.ArgumentException.With.Message.Contains("holds no checkpoint"));
    }

    private static IEnumerable<TestCaseData> MnistCases() => BadMnist.Select(c => new TestCaseData(c.Option, c.Change).SetArgDisplayNames(c.Option));

    private static IEnumerable<TestCaseData> PointCloudCases() => BadPointCloud.Select(c => new TestCaseData(c.Option, c.Change).SetArgDisplayNames(c.Option));

    private static IEnumerable<TestCaseData> AssameseCases() => BadAssamese.Select(c => new TestCaseData(c.Option, c.Change).SetArgDisplayNames(c.Option));
}
