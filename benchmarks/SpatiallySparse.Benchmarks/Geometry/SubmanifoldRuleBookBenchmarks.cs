using BenchmarkDotNet.Attributes;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Benchmarks.Kernels;
using SpatiallySparse.Benchmarks.Support;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Benchmarks.Geometry;

/// <summary>
/// Rulebook construction alone: the 3x3 (3x3x3 in 3D) submanifold rules of a <see cref="KernelGeometry"/> active
/// set from an existing grid, with fresh metadata each time so nothing is cached.
/// </summary>
[MemoryDiagnoser]
public class SubmanifoldRuleBookBenchmarks : IPairCounted
{
    private readonly Tape _tape = new(recordGradients: false);
    private SparseGrid _grid = null!;

    /// <summary>Active set (see <see cref="KernelGeometry.Names"/>).</summary>
    [ParamsSource(nameof(Geometries))]
    public string Geometry { get; set; } = "disc2d-50k";

    public static IEnumerable<string> Geometries => KernelGeometry.Names;

    public double Pairs(string method, IReadOnlyDictionary<string, object> parameters) =>
        KernelGeometry.PairCount((string)parameters[nameof(Geometry)], 3);

    [GlobalSetup]
    public void Setup() => _grid = KernelGeometry.Create(Geometry, 1, CpuBackend.Shared, _tape).Grid;

    [GlobalCleanup]
    public void Cleanup() => _tape.Dispose();

    [Benchmark]
    public int SubmanifoldRules() =>
        new Metadata(_grid).GetSubmanifoldRules(_grid.Size, SpatialSize.Cube(_grid.Size.Dimension, 3)).PairCount;
}
