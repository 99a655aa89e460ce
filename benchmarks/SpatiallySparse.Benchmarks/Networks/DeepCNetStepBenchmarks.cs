using BenchmarkDotNet.Attributes;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// One DeepCNet training step (forward, loss, backward, SGD with momentum), sparse against the library's dense
/// path on the same batch; the dense step is the baseline. Workloads come from <see cref="StepWorkload.Names"/>.
/// </summary>
[MemoryDiagnoser]
public class DeepCNetStepBenchmarks
{
    private TrainingStep _step = null!;
    private (SparseInput Input, int[] Labels) _batch;
    private CpuBackend _backend = null!;

    /// <summary>Workload name (see <see cref="StepWorkload"/>).</summary>
    [ParamsSource(nameof(Workloads))]
    public string Workload { get; set; } = "mnist";

    /// <summary>The workloads benchmarked: those on real data.</summary>
    public static IEnumerable<string> Workloads => StepWorkload.Names;

    [GlobalSetup(Target = nameof(Sparse))]
    public void SetupSparse() => Setup(dense: false);

    [GlobalSetup(Target = nameof(Dense))]
    public void SetupDense() => Setup(dense: true);

    [GlobalCleanup]
    public void Cleanup() => _backend.Dispose();

    [Benchmark]
    public float Sparse() => _step.Run(_batch.Input, _batch.Labels);

    [Benchmark(Baseline = true)]
    public float Dense() => _step.Run(_batch.Input, _batch.Labels);

    private void Setup(bool dense)
    {
        StepWorkload workload = StepWorkload.Get(Workload);
        _backend = new CpuBackend();
        _step = new TrainingStep(workload, dense, _backend);
        _batch = workload.MakeBatch(0);
    }
}
