using System.Diagnostics;
using NUnit.Framework;

namespace SpatiallySparse.Tests.Validation;

/// <summary>
/// The public surface is recorded in PublicAPI.*.txt: a public member added without recording it fails the build
/// (checked on a copy of the core project in a temp folder, so the repository is never touched).
/// </summary>
[TestFixture]
[Category("Build")]
public sealed class PublicApiTests
{
    [Test]
    public void AnUnrecordedPublicMemberFailsTheBuild()
    {
        string repository = RepositoryRoot();
        string copy = Path.Combine(Path.GetTempPath(), "ss-publicapi-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (string file in new[] { "Directory.Build.props", "Directory.Packages.props", "nuget.config", "src/Directory.Build.props" })
                CopyFile(repository, copy, file);
            CopyProject(Path.Combine(repository, "src", "SpatiallySparse"), Path.Combine(copy, "src", "SpatiallySparse"));
            File.WriteAllText(Path.Combine(copy, "src", "SpatiallySparse", "Unrecorded.cs"),
                "namespace SpatiallySparse;\n/// <summary>Not in PublicAPI.Unshipped.txt.</summary>\npublic static class Unrecorded\n{\n    /// <summary>Added.</summary>\n    public static int Added() => 1;\n}\n");
            (int exitCode, string output) = Run("dotnet", $"build -c Release \"{Path.Combine(copy, "src", "SpatiallySparse", "SpatiallySparse.csproj")}\"", copy);
            Assert.That(exitCode, Is.Not.Zero, output);
            Assert.That(output, Does.Contain("RS0016").And.Contain("SpatiallySparse.Unrecorded.Added() -> int"));
            Assert.That(output, Does.Not.Contain("error CS"), "the copy compiles; only the analyzer objects");
        }
        finally
        {
            if (Directory.Exists(copy))
                Directory.Delete(copy, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? d = new(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "SpatiallySparse.sln")))
                return d.FullName;
        throw new InvalidOperationException("The repository root (SpatiallySparse.sln) is not above the test folder.");
    }

    private static void CopyFile(string from, string to, string relative)
    {
        string target = Path.Combine(to, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(Path.Combine(from, relative), target);
    }

    private static void CopyProject(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
                continue;
            string target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static (int ExitCode, string Output) Run(string program, string arguments, string folder)
    {
        ProcessStartInfo start = new(program, arguments) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("dotnet build took more than 5 minutes.");
        }
        return (process.ExitCode, output + error.Result);
    }
}
