using System.Diagnostics;

namespace SpatiallySparse.Distributed.Tests;

/// <summary>Runs the worker program, alone or under <c>mpiexec -n N</c>, with a time limit, and captures its output.</summary>
internal static class WorkerJob
{
    /// <summary>The worker's dll, built next to this test assembly's configuration (bin/&lt;Configuration&gt;/net10.0).</summary>
    public static string WorkerDll
    {
        get
        {
            DirectoryInfo output = new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string framework = output.Name, configuration = output.Parent!.Name;
            string tests = output.Parent.Parent!.Parent!.Parent!.FullName;
            string dll = Path.Combine(tests, "SpatiallySparse.Distributed.Worker", "bin", configuration, framework, "SpatiallySparse.Distributed.Worker.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"The worker program is not built at {dll}.", dll);
        }
    }

    /// <summary>Skips the calling test, with the reason, when no mpiexec is on the PATH.</summary>
    public static void RequireMpi()
    {
        if (FindOnPath("mpiexec") is null)
            Assert.Ignore("mpiexec is not on the PATH: install MPICH (Debian/Ubuntu: apt-get install mpich libmpich-dev; .ci/run does) to run the MPI tests.");
    }

    /// <summary>Runs the worker under <c>mpiexec -n <paramref name="ranks"/></c> (0: alone, without MPI).</summary>
    public static (int ExitCode, string Output, TimeSpan Elapsed) Run(int ranks, TimeSpan limit, params string[] args)
    {
        ProcessStartInfo info = ranks == 0 ? new("dotnet") : new("mpiexec");
        if (ranks > 0)
            foreach (string a in new[] { "-n", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet" })
                info.ArgumentList.Add(a);
        info.ArgumentList.Add(WorkerDll);
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
