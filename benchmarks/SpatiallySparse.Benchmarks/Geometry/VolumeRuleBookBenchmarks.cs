using BenchmarkDotNet.Attributes;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Benchmarks.Support;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Benchmarks.Geometry;

/// <summary>
/// 3D rule builds alone, one method per builder (<see cref="Volumes3d"/>), on the 3D workloads: the input grid is
/// made once, each invocation builds the rules and gives them back to the pools (as a training loop's metadata does),
/// so the allocation column is what a build costs in steady state. Pairs per second via <see cref="PairRateColumn"/>.
/// </summary>
[MemoryDiagnoser]
public class VolumeRuleBookBenchmarks : IPairCounted
{
    private static readonly Dictionary<(string, string), int> PairCounts = [];
    private Tape _tape = null!;
    private SparseGrid _fine = null!, _coarse = null!;

    /// <summary>Workload (see <see cref="Volumes3d.Names"/>).</summary>
    [ParamsSource(nameof(Workloads))]
    public string Workload { get; set; } = "shell64";

    public static IEnumerable<string> Workloads => Volumes3d.Names;

    public double Pairs(string method, IReadOnlyDictionary<string, object> parameters)
    {
        string workload = (string)parameters[nameof(Workload)], builder = Builder(method);
        lock (PairCounts)
        {
            if (!PairCounts.TryGetValue((workload, builder), out int pairs))
            {
                using Tape tape = new(recordGradients: false);
                SparseGrid fine = Volumes3d.Create(workload, CpuBackend.Shared, tape).Grid, coarse = Volumes3d.Coarse(fine);
                PairCounts[(workload, builder)] = pairs = Volumes3d.Build(builder, fine, coarse);
                coarse.Release();
            }
            return pairs;
        }
    }

    private static string Builder(string method) => method switch
    {
        nameof(Submanifold3) => "submanifold3",
        nameof(Strided2) => "strided2",
        nameof(Valid3) => "valid3",
        nameof(Deconvolution2) => "deconvolution2",
        nameof(Reached2) => "reached2",
        _ => throw new ArgumentException($"No builder for {method}."),
    };

    [GlobalSetup]
    public void Setup()
    {
        _tape = new Tape(recordGradients: false);
        _fine = Volumes3d.Create(Workload, CpuBackend.Shared, _tape).Grid;
        _coarse = Volumes3d.Coarse(_fine);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _coarse.Release();
        _tape.Dispose();
    }

    /// <summary>3x3x3 submanifold rules.</summary>
    [Benchmark]
    public int Submanifold3() => Volumes3d.Build("submanifold3", _fine, _coarse);

    /// <summary>2x2x2 stride 2 convolution (and 2x2x2 pooling) rules and output grid.</summary>
    [Benchmark]
    public int Strided2() => Volumes3d.Build("strided2", _fine, _coarse);

    /// <summary>3x3x3 valid (stride 1) convolution rules and output grid.</summary>
    [Benchmark]
    public int Valid3() => Volumes3d.Build("valid3", _fine, _coarse);

    /// <summary>2x2x2 stride 2 deconvolution rules onto the fine grid (a U-Net's decoder).</summary>
    [Benchmark]
    public int Deconvolution2() => Volumes3d.Build("deconvolution2", _fine, _coarse);

    /// <summary>2x2x2 stride 2 deconvolution onto every site it reaches (no fine grid yet): the output grid and rules.</summary>
    [Benchmark]
    public int Reached2() => Volumes3d.Build("reached2", _fine, _coarse);
}
