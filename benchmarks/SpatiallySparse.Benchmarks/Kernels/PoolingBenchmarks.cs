using BenchmarkDotNet.Attributes;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Benchmarks.Kernels;

/// <summary>
/// Max pooling 2/2 with ground states (Graham's valid semantics), forward and backward, 64 channels, on the
/// <see cref="KernelGeometry"/> active sets. The CPU pooling kernels have a single implementation (rows through
/// TensorPrimitives, one thread), so there is no scalar/SIMD pair to compare here.
/// </summary>
public class PoolingBenchmarks
{
    private const int Channels = 64;

    private readonly Tape _tape = new(recordGradients: false);
    private readonly CpuBackend _be = CpuBackend.Shared;
    private SparseTensor _x = null!;
    private SparseGrid _outputGrid = null!;
    private RuleBook _rules = null!;
    private FeatureMatrix _ground = null!, _output = null!, _gradOutput = null!, _gradInput = null!, _gradGround = null!;

    /// <summary>Active set (see <see cref="KernelGeometry.Names"/>).</summary>
    [ParamsSource(nameof(Geometries))]
    public string Geometry { get; set; } = "disc2d-50k";

    public static IEnumerable<string> Geometries => KernelGeometry.Names;

    [GlobalSetup]
    public void Setup()
    {
        _x = KernelGeometry.Create(Geometry, Channels, _be, _tape);
        int dim = _x.SpatialSize.Dimension;
        (_outputGrid, _rules) = _x.Metadata.GetConvolutionRules(_x.SpatialSize, SpatialSize.Cube(dim, 2), SpatialSize.Cube(dim, 2));
        _ground = _tape.Own(_be.Allocate(1, Channels));
        _output = _tape.Own(_be.Allocate(_rules.OutputRows, Channels));
        _gradOutput = _tape.Own(_be.Allocate(_rules.OutputRows, Channels));
        ((CpuMatrix)_gradOutput).Span.Fill(1f);
        _gradInput = _tape.Own(_be.Allocate(_x.ActiveCount, Channels));
        _gradGround = _tape.Own(_be.Allocate(1, Channels));
        _be.MaxPoolForward(_x.Features, _ground, _rules, _outputGrid, true, _output);
    }

    [GlobalCleanup]
    public void Cleanup() => _tape.Dispose();

    [Benchmark]
    public void MaxPoolForward() => _be.MaxPoolForward(_x.Features, _ground, _rules, _outputGrid, true, _output);

    [Benchmark]
    public void MaxPoolBackward() =>
        _be.MaxPoolBackward(_x.Features, _ground, _rules, _outputGrid, true, _output, _gradOutput, _gradInput, _gradGround);
}
