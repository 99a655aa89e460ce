using System.Reflection;
using System.Runtime.InteropServices;

namespace SpatiallySparse.Samples.Common;

/// <summary>Where a results file came from: the command, the commit it was built from, when and on what machine.</summary>
/// <param name="Command">The program and its arguments.</param>
/// <param name="Commit">The source revision the program was built from (the SDK stamps it into the informational version), or "unknown".</param>
/// <param name="WrittenUtc">When the results were written, ISO 8601 UTC.</param>
/// <param name="Machine">Cores, operating system and architecture.</param>
public sealed record RunProvenance(string Command, string Commit, string WrittenUtc, string Machine)
{
    /// <summary>This process's provenance, now.</summary>
    public static RunProvenance Current()
    {
        Assembly entry = Assembly.GetEntryAssembly() ?? typeof(RunProvenance).Assembly;
        string? version = entry.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        int plus = version?.IndexOf('+', StringComparison.Ordinal) ?? -1;
        string commit = plus >= 0 ? version![(plus + 1)..] : "unknown";
        string command = string.Join(' ', new[] { entry.GetName().Name ?? "program" }.Concat(Environment.GetCommandLineArgs().Skip(1)));
        string machine = $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}";
        return new RunProvenance(command, commit, DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), machine);
    }
}
