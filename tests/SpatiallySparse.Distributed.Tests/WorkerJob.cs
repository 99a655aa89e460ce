using System.Diagnostics;

namespace SpatiallySparse.Distributed.Tests;

/// <summary>Runs the worker program (or the MNIST sample), alone or under <c>mpiexec -n N</c>, with a time limit, and captures its output.</summary>
internal static class WorkerJob
{
    /// <summary>The worker's dll, built next to this test assembly's configuration (bin/&lt;Configuration&gt;/net10.0).</summary>
    public static string WorkerDll => BuiltDll(Path.Combine("tests", "SpatiallySparse.Distributed.Worker"), "SpatiallySparse.Distributed.Worker.dll");

    /// <summary>The MNIST sample's dll, built next to this test assembly's configuration.</summary>
    public static string MnistDll => BuiltDll(Path.Combine("samples", "Mnist.DeepCNet"), "Mnist.DeepCNet.dll");

    private static string BuiltDll(string project, string name)
    {
        DirectoryInfo output = new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = output.Name, configuration = output.Parent!.Name;
        string root = output.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        string dll = Path.Combine(root, project, "bin", configuration, framework, name);
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The program is not built at {dll}.", dll);
    }

    /// <summary>Skips the calling test, with the reason, when no mpiexec is on the PATH.</summary>
    public static void RequireMpi()
    {
        if (FindOnPath("mpiexec") is null)
            Assert.Ignore("mpiexec is not on the PATH: install MPICH (Debian/Ubuntu: apt-get install mpich libmpich-dev; .ci/run does) to run the MPI tests.");
    }

    /// <summary>Runs the worker under <c>mpiexec -n <paramref name="ranks"/></c> (0: alone, without MPI).</summary>
    public static (int ExitCode, string Output, TimeSpan Elapsed) Run(int ranks, TimeSpan limit, params string[] args) => Run(WorkerDll, ranks, limit, args);

    /// <summary>Runs <paramref name="dll"/> under <c>mpiexec -n <paramref name="ranks"/></c> (0: alone, without MPI).</summary>
    public static (int ExitCode, string Output, TimeSpan Elapsed) Run(string dll, int ranks, TimeSpan limit, params string[] args)
    {
        ProcessStartInfo info = ranks == 0 ? new("dotnet") : new("mpiexec");
        if (ranks > 0)
            foreach (string a in new[] { "-n", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet" })
                info.ArgumentList.Add(a);
        info.ArgumentList.Add(dll);
        foreach (string a in args)
            info.ArgumentList.Add(a);
        info.RedirectStandardOutput = info.RedirectStandardError = true;
        Stopwatch watch = Stopwatch.StartNew();
        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The job did not end within {limit.TotalSeconds} s: {string.Join(' ', info.ArgumentList)}");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result, watch.Elapsed);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
