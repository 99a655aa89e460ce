using System.Diagnostics;
using MnistDeepCNet;
using NUnit.Framework;
using SpatiallySparse.Samples.Common;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Samples.Tests;

/// <summary>SIGTERM (what a job scheduler or `docker stop` sends) saves a checkpoint and stops, like Ctrl-C.</summary>
[TestFixture]
public sealed class SignalTests
{
    [Test]
    public void SigtermSavesACheckpointThatResumes()
    {
        Assume.That(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), Is.True, "POSIX signals");
        using TempFolder temp = new();
        DataFolder locator = RealData.LocatorOrIgnore(MnistData.Spec, temp);
        string data = locator.Locate(MnistData.Spec, null).Path;
        string sample = RepositoryFiles.Built("samples/Mnist.DeepCNet", "Mnist.DeepCNet.dll");
        string checkpoints = temp.File("ckpt");
        ProcessStartInfo start = new("dotnet", $"\"{sample}\" --data \"{data}\" --l 4 --k 4 --epochs 100 --train-subset 2000 --test-subset 50 --compare false --checkpoint \"{checkpoints}\" --out \"{temp.File("out")}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        // Wait for the first epoch's checkpoint, then ask the run to stop in the second.
        string folder = Path.Combine(checkpoints, "sparse");
        Stopwatch clock = Stopwatch.StartNew();
        string? first = null;
        while ((first = CheckpointManager.LatestIn(folder)) is null && clock.Elapsed < TimeSpan.FromSeconds(90) && !process.HasExited)
            Thread.Sleep(100);
        Assert.That(first, Is.Not.Null, () => "an epoch ended: " + (process.HasExited ? output.Result + error.Result : "still running"));
        Assert.That(process.HasExited, Is.False, "the run is still training");
        using (Process kill = Process.Start("kill", $"-TERM {process.Id}"))
            kill.WaitForExit();
        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "stops within a minute of SIGTERM");
        string log = output.Result + error.Result;
        Assert.That(log, Does.Contain("SIGTERM: stopping"));
        Assert.That(process.ExitCode, Is.EqualTo(130), log);  // an interrupted run exits 130, as after Ctrl-C
        string? latest = CheckpointManager.LatestIn(folder);
        string unwrapped = log.Replace("\n", "", StringComparison.Ordinal);  // the progress display wraps long lines
        Assert.That(unwrapped, Does.Contain("sparse: stopped in epoch 2").And.Contain($"; saved {latest}."), "the stop saved where it stopped (the newest checkpoint)");
    }
}
