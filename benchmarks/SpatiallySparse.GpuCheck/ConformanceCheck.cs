using System.Diagnostics;
using SpatiallySparse.Ilgpu;
using SpatiallySparse.Ilgpu.Tests.Conformance;

namespace SpatiallySparse.GpuCheck;

/// <summary>Runs the conformance cases (2D and 3D) and prints PASS/FAIL per op.</summary>
internal static class ConformanceCheck
{
    public static int Run(IlgpuBackend backend, Report report, CheckSettings settings)
    {
        Console.WriteLine($"conformance against CpuBackend ({settings.Sizes})");
        Stopwatch watch = Stopwatch.StartNew();
        using ConformanceCases cases = new(backend, settings.Sizes);
        int failures = 0, count = 0;
        foreach (string name in cases.Names)
            foreach (int dimension in (ReadOnlySpan<int>)[2, 3])
            {
                count++;
                failures += RunOne(cases, name, dimension) ? 0 : 1;
            }
        Console.WriteLine($"conformance: {count - failures}/{count} passed in {watch.Elapsed.TotalSeconds:F1} s");
        report.Add("conformance", $"{count - failures}/{count}");
        return failures;
    }

    private static bool RunOne(ConformanceCases cases, string name, int dimension)
    {
        try
        {
            double error = cases.Run(name, dimension);
            bool pass = error <= cases.Tolerance;
            Console.WriteLine($"  {(pass ? "PASS" : "FAIL")} {name,-34} {dimension}D  relative error {error:G3}");
            return pass;
        }
        catch (Exception e)
        {
            Console.WriteLine($"  FAIL {name,-34} {dimension}D  {e.GetType().Name}: {e.Message}");
            return false;
        }
    }
}
