using BenchmarkDotNet.Attributes;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Benchmarks.Support;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Benchmarks.Geometry;

/// <summary>
/// Geometry cost of one MNIST-like batch: 100 samples of ~150 active sites (digit-sized blobs) on 96 x 96,
/// building the input grid and the first valid 3x3 convolution's rulebook (fresh metadata each time).
/// Reported per batch, with the rulebook's pairs per second.
/// </summary>
[MemoryDiagnoser]
public class RuleBookBuildBenchmarks : IPairCounted
{
    private static readonly Lazy<int> PairCount = new(() =>
    {
        RuleBookBuildBenchmarks b = new();
        b.Setup();
        return b.InputGridAndConvolutionRules();
    });

    private SparseInput _input = null!;

    public double Pairs(string method, IReadOnlyDictionary<string, object> parameters) => PairCount.Value;

    [GlobalSetup]
    public void Setup()
    {
        Random random = new(2);
        _input = new SparseInput(100, 2, 1);
        for (int b = 0; b < 100; b++)
        {
            HashSet<(int, int)> sites = [];
            (int x, int y) = (48, 48);
            while (sites.Count < 150)
            {
                x = Math.Clamp(x + random.Next(-1, 2), 34, 61);
                y = Math.Clamp(y + random.Next(-1, 2), 34, 61);
                if (sites.Add((x, y)))
                    _input.Add(b, [x, y], 1f);
            }
        }
    }

    [Benchmark]
    public int InputGridAndConvolutionRules()
    {
        using Tape tape = new(recordGradients: false);
        SparseTensor x = new InputLayer(new SpatialSize(96, 96)).Forward(_input, CpuBackend.Shared, tape);
        return x.Metadata.GetConvolutionRules(x.SpatialSize, SpatialSize.Cube(2, 3), SpatialSize.Cube(2, 1)).Rules.PairCount;
    }
}
