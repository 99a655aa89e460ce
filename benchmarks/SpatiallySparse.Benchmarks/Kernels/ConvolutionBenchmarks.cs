using BenchmarkDotNet.Attributes;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Backends.Cpu.Simd;
using SpatiallySparse.Benchmarks.Support;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Benchmarks.Kernels;

/// <summary>
/// The convolution kernel of a 3x3 layer, 64 -> 64 channels, on ~50k active sites in 2D (a filled disc,
/// submanifold rules, ~9 pairs per site): forward (gather-GEMM-scatter) and backward (weights and input),
/// scalar loops as the baseline, then Vector256 and Vector512 on every core.
/// </summary>
public class ConvolutionBenchmarks : IFlopCounted
{
    private const int Channels = 64;

    // The host process asks for FLOPs once per table cell; build the geometry once to count its pairs.
    private static readonly Lazy<int> Pairs = new(() =>
    {
        using Workload w = Workload.Create(Channels);
        return w.Rules.PairCount;
    });

    private Workload _w = null!;

    [GlobalSetup]
    public void Setup() => _w = Workload.Create(Channels);

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
        double forward = 2.0 * Pairs.Value * Channels * Channels;
        return method.StartsWith("Backward", StringComparison.Ordinal) ? 2 * forward : forward;
    }

    /// <summary>Geometry, features and weights of the benchmarked layer; the same on every call.</summary>
    private sealed class Workload : IDisposable
    {
        private readonly Tape _tape = new(recordGradients: false);
        private readonly Dictionary<SimdLevel, CpuBackend> _backends = [];

        private Workload(SparseTensor x, RuleBook rules, FeatureMatrix weights, FeatureMatrix output, FeatureMatrix gradWeights, FeatureMatrix gradInput)
        {
            X = x;
            Rules = rules;
            Weights = weights;
            Output = output;
            GradWeights = gradWeights;
            GradInput = gradInput;
        }

        public SparseTensor X { get; }

        public RuleBook Rules { get; }

        public FeatureMatrix Weights { get; }

        public FeatureMatrix Output { get; }

        public FeatureMatrix GradWeights { get; }

        public FeatureMatrix GradInput { get; }

        public static Workload Create(int channels)
        {
            const int Side = 256, Radius = 126;
            Random random = new(1);
            SparseInput input = new(1, 2, channels);
            float[] f = new float[channels];
            for (int i = 0; i < Side; i++)
                for (int j = 0; j < Side; j++)
                    if ((i - Side / 2) * (i - Side / 2) + (j - Side / 2) * (j - Side / 2) <= Radius * Radius)
                    {
                        for (int c = 0; c < channels; c++)
                            f[c] = random.NextSingle() - 0.5f;
                        input.Add(0, [i, j], f);
                    }
            Tape tape = new(recordGradients: false);
            CpuBackend be = CpuBackend.Shared;
            SparseTensor x = new InputLayer(new SpatialSize(Side, Side)).Forward(input, be, tape);
            RuleBook rules = x.Metadata.GetSubmanifoldRules(x.SpatialSize, SpatialSize.Cube(2, 3));
            FeatureMatrix w = be.Allocate(9 * channels, channels);
            be.Upload(Enumerable.Range(0, 9 * channels * channels).Select(_ => random.NextSingle() - 0.5f).ToArray(), w);
            Workload workload = new(x, rules, w, be.Allocate(x.ActiveCount, channels), be.Allocate(9 * channels, channels), be.Allocate(x.ActiveCount, channels));
            workload._tape.Own(tape);
            return workload;
        }

        public void Forward(SimdLevel simd) => Backend(simd).ConvolutionForward(X.Features, Weights, Rules, Output);

        public void Backward(SimdLevel simd) => Backend(simd).ConvolutionBackward(X.Features, Output, Weights, Rules, GradInput, GradWeights);

        private CpuBackend Backend(SimdLevel simd)
        {
            if (!_backends.TryGetValue(simd, out CpuBackend? be))
                _backends[simd] = be = new CpuBackend(0, simd);
            return be;
        }

        public void Dispose()
        {
            Weights.Dispose();
            Output.Dispose();
            GradWeights.Dispose();
            GradInput.Dispose();
            _tape.Dispose();
        }
    }
}
