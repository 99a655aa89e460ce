using NUnit.Framework;

namespace SpatiallySparse.Samples.Tests;

/// <summary>The repository around the tests: its root, what the solution built, and code as the docs tests compare it.</summary>
internal static class RepositoryFiles
{
    /// <summary>The folder holding SpatiallySparse.sln, above the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// The dll of a project the solution built in this configuration (bin/&lt;configuration&gt;/net10.0, as the test
    /// assembly's own folder), e.g. <c>Built("samples/Demo", "Demo.dll")</c>.
    /// </summary>
    public static string Built(string project, string dll)
    {
        string configuration = new DirectoryInfo(TestContext.CurrentContext.TestDirectory).Parent!.Name;
        return Path.Combine(Root, project, "bin", configuration, "net10.0", dll);
    }

    /// <summary>Lines trimmed, blank lines dropped: indentation and spacing may differ between a page and the source.</summary>
    public static string NormaliseCode(string code) =>
        string.Join('\n', code.Replace("\r", "", StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)) + "\n";

    private static string FindRoot()
    {
        for (DirectoryInfo? d = new(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "SpatiallySparse.sln")))
                return d.FullName;
        throw new InvalidOperationException("The repository root (SpatiallySparse.sln) is not above the test folder.");
    }
}
