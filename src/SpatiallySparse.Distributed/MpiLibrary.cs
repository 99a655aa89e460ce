using System.Reflection;
using System.Runtime.InteropServices;

namespace SpatiallySparse.Distributed;

/// <summary>
/// Finds the native MPI library for MPI.NET. MPI.NET imports <c>msmpi.dll</c> (Microsoft MPI) by name; on Linux
/// and macOS a resolver loads an MPICH-ABI library instead (MPICH, or Intel MPI through
/// <see cref="EnvironmentVariable"/>). Open MPI does not fit: MPI.NET expects MPICH's integer handles.
/// </summary>
public static class MpiLibrary
{
    /// <summary>Names an MPICH-ABI library (a path or a file name) to load before the built-in candidates.</summary>
    public const string EnvironmentVariable = "SPATIALLYSPARSE_MPI_LIBRARY";

    private const string ImportedName = "msmpi.dll";
    private static readonly object Gate = new();
    private static bool _installed;
    private static IntPtr _handle;

    /// <summary>The names tried in order on this operating system (after <see cref="EnvironmentVariable"/> when set).</summary>
    public static IReadOnlyList<string> Candidates(string? overrideName)
    {
        List<string> names = [];
        if (!string.IsNullOrWhiteSpace(overrideName))
            names.Add(overrideName);
        if (OperatingSystem.IsWindows())
            names.Add(ImportedName);
        else if (OperatingSystem.IsMacOS())
            names.AddRange(["libmpi.12.dylib", "libmpich.12.dylib", "libmpich.dylib"]);
        else
            names.AddRange(["libmpich.so.12", "libmpi.so.12", "libmpich.so"]);
        return names;
    }

    /// <summary>
    /// Installs the resolver on MPI.NET's assembly and loads the library now (idempotent); call before the first
    /// MPI.NET call. <see cref="DistributedSession"/> calls it.
    /// </summary>
    /// <exception cref="DllNotFoundException">No candidate loads; the message names every name tried and the package that installs one.</exception>
    public static void Load()
    {
        lock (Gate)
        {
            if (_installed)
                return;
            _handle = LoadFirst(Candidates(System.Environment.GetEnvironmentVariable(EnvironmentVariable)));
            NativeLibrary.SetDllImportResolver(typeof(MPI.Communicator).Assembly, Resolve);
            _installed = true;
        }
    }

    /// <summary>The handle of the first of <paramref name="names"/> that loads, or an exception naming all of them.</summary>
    internal static IntPtr LoadFirst(IReadOnlyList<string> names)
    {
        List<string> failures = [];
        foreach (string name in names)
        {
            if (NativeLibrary.TryLoad(name, out IntPtr handle))
                return handle;
            failures.Add(name);
        }
        throw new DllNotFoundException(
            $"No MPI library could be loaded; tried {string.Join(", ", failures)}. {InstallHint()} " +
            $"To use another MPICH-ABI library (Intel MPI, MVAPICH), set {EnvironmentVariable} to its path. Open MPI does not fit (MPI.NET needs MPICH's handle layout).");
    }

    private static string InstallHint() => OperatingSystem.IsWindows()
        ? "Install Microsoft MPI (msmpisetup.exe, the MS-MPI redistributable)."
        : "Install MPICH: Debian/Ubuntu `apt-get install mpich libmpich-dev`, Fedora `dnf install mpich mpich-devel`, macOS `brew install mpich`.";

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        string.Equals(name, ImportedName, StringComparison.OrdinalIgnoreCase) || name.StartsWith("msmpi", StringComparison.OrdinalIgnoreCase)
            ? _handle
            : IntPtr.Zero;
}
