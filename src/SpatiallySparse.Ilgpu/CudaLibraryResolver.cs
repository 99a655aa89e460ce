using System.Reflection;
using System.Runtime.InteropServices;

namespace SpatiallySparse.Ilgpu;

/// <summary>
/// Lets ILGPU find the CUDA driver on machines that ship only <c>libcuda.so.1</c>: ILGPU imports the driver as
/// <c>cuda</c>, which the runtime resolves to <c>libcuda.so</c> (a symlink that only the CUDA toolkit's
/// development package installs).
/// </summary>
internal static class CudaLibraryResolver
{
    private static int _registered;

    /// <summary>Registers the fallback once per process; a resolver someone else registered is left alone.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) != 0)
            return;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(ILGPU.Context).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // The host application registered its own resolver for ILGPU; it knows better.
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!OperatingSystem.IsLinux() || !libraryName.Contains("cuda", StringComparison.OrdinalIgnoreCase))
            return IntPtr.Zero;
        if (NativeLibrary.TryLoad(libraryName, assembly, searchPath, out IntPtr handle))
            return handle;
        foreach (string candidate in (ReadOnlySpan<string>)["libcuda.so", "libcuda.so.1"])
            if (NativeLibrary.TryLoad(candidate, out handle))
                return handle;
        return IntPtr.Zero;
    }
}
