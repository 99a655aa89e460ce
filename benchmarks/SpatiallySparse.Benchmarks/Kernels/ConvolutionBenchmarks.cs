using System.Globalization;
using BenchmarkDotNet.Attributes;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Backends.Cpu.Simd;
using SpatiallySparse.Benchmarks.Support;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Benchmarks.Kernels;

/// <summary>
/// The convolution kernel (gather-GEMM-scatter) forward and backward (weights and input) on the
/// <see cref="KernelGeometry"/> active sets: filter 3 (submanifold rules) or 2 (valid rules, stride 1), channels
/// Cin -> Cout; scalar loops as the baseline, then Vector256 and Vector512 on every core.
/// </summary>
public class ConvolutionBenchmarks : IFlopCounted
{
    private Workload _w = null!;

    /// <summary>Active set (see <see cref="KernelGeometry.Names"/>).</summary>
    [ParamsSource(nameof(Geometries))]
    public string Geometry { get; set; } = "disc2d-50k";

    /// <summary>Filter side: 3 (submanifold) or 2 (valid).</summary>
    [Params(3, 2)]
    public int Filter { get; set; } = 3;

    /// <summary>Input and output channels, "Cin->Cout".</summary>
    [Params("1->64", "32->64", "64->64", "128->128")]
    public string Channels { get; set; } = "64->64";

    public static IEnumerable<string> Geometries => KernelGeometry.Names;

    [GlobalSetup]
    public void Setup()
    {
        (int cin, int cout) = ParseChannels(Channels);
        _w = new Workload(Geometry, Filter, cin, cout);
    }

    [GlobalCleanup]
    public void Cleanup() => _w.Dispose();

    [Benchmark(Baseline = true)]
    public void ForwardScalar() => _w.Forward(SimdLevel.Scalar);

    [Benchmark]
    public void ForwardVector256() => _w.Forward(SimdLevel.Vector256);

    [Benchmark]
    public void ForwardVector512() => _w.Forward(SimdLevel.Vector512);

    [Benchmark]
    public void BackwardScalar() => _w.Backward(SimdLevel.Scalar);

    [Benchmark]
    public void BackwardVector512() => _w.Backward(SimdLevel.Vector512);

    public double Flops(string method, IReadOnlyDictionary<string, object> parameters)
    {
        (int cin, int cout) = ParseChannels((string)parameters[nameof(Channels)]);
        double forward = 2.0 * KernelGeometry.PairCount((string)parameters[nameof(Geometry)], (int)parameters[nameof(Filter)]) * cin * cout;
        return method.StartsWith("Backward", StringComparison.Ordinal) ? 2 * forward : forward;
    }

    private static (int In, int Out) ParseChannels(string channels)
    {
        string[] parts = channels.Split("->");
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Geometry, features and weights of the benchmarked layer; the same on every call.</summary>
    private sealed class Workload : IDisposable
    {
        private readonly Tape _tape = new(recordGradients: false);
        private readonly Dictionary<SimdLevel, CpuBackend> _backends = [];
        private readonly SparseTensor _x;
        private readonly RuleBook _rules;
        private readonly FeatureMatrix _weights, _output, _gradWeights, _gradInput;

        public Workload(string geometry, int filter, int cin, int cout)
        {
            CpuBackend be = CpuBackend.Shared;
            _x = KernelGeometry.Create(geometry, cin, be, _tape);
            _rules = KernelGeometry.Rules(_x, filter);
            Random random = new(2);
            _weights = _tape.Own(be.Allocate(_rules.FilterVolume * cin, cout));
            be.Upload(Enumerable.Range(0, _rules.FilterVolume * cin * cout).Select(_ => random.NextSingle() - 0.5f).ToArray(), _weights);
            _output = _tape.Own(be.Allocate(_rules.OutputRows, cout));
            _gradWeights = _tape.Own(be.Allocate(_rules.FilterVolume * cin, cout));
            _gradInput = _tape.Own(be.Allocate(_x.ActiveCount, cin));
        }

        public void Forward(SimdLevel simd) => Backend(simd).ConvolutionForward(_x.Features, _weights, _rules, _output);

        public void Backward(SimdLevel simd) => Backend(simd).ConvolutionBackward(_x.Features, _output, _weights, _rules, _gradInput, _gradWeights);

        private CpuBackend Backend(SimdLevel simd)
        {
            if (!_backends.TryGetValue(simd, out CpuBackend? be))
                _backends[simd] = be = new CpuBackend(0, simd);
            return be;
        }

        public void Dispose()
        {
            _tape.Dispose();
            foreach (CpuBackend be in _backends.Values)
                be.Dispose();
        }
    }
}
