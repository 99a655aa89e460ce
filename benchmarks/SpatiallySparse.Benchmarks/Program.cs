using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using SpatiallySparse.Benchmarks.Networks;
using SpatiallySparse.Benchmarks.Support;
using SpatiallySparse.Benchmarks.Sweep;

// Examples:
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- --filter '*'
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- --filter '*Convolution*' '*FmaPeak*'
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- step --workload mnist --mode sparse --steps 5
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- sweep --repeats 7 --out docs/img
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- unet-step --resolution 128 --export /tmp/scenes128.txt (peers: benchmarks/peers/unet-compare.sh)
// Benchmarks run in one joined summary so the GFLOP/s column can relate every kernel to the FMA peak
// measured in the same run. `step` (timed training steps, for benchmarks/peers/cpu-compare.sh), `step-profile`
// (a DeepCNet training step split by phase, with allocations; Networks/StepProfile.cs) and `sweep` (sparse vs
// dense over active fractions) are plain timers, not BenchmarkDotNet runs.
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- step-profile --k 60,20
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- geometry-profile --workload assamese
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- step-allocations --workload mnist --types true
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- shapes3d-profile --builds 15 (3D submanifold rules, old against new)
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- volume-rules --builds 9 (every 3D rule builder on the 3D workloads)
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- --filter '*VolumeRuleBook*' (the same as a BenchmarkDotNet suite)
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- loader-overlap --step-ms 7 (batch building hidden behind a step)
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- soak --steps 10000 (memory, pool, fds, threads flat over training with checkpoints)
switch (args.FirstOrDefault())
{
    case "step":
        return StepTimer.Run(args[1..]);
    case "unet-step":
        return UNetStepTimer.Run(args[1..]);
    case "step-profile":
        StepProfile.Run(args[1..]);
        return 0;
    case "step-allocations":
        return StepAllocations.Run(args[1..]);
    case "geometry-profile":
        return GeometryProfile.Run(args[1..]);
    case "volume-rules":
        return SpatiallySparse.Benchmarks.Geometry.VolumeRulesProfile.Run(args[1..]);
    case "shapes3d-profile":
        return SpatiallySparse.Benchmarks.Geometry.Shapes3dProfile.Run(args[1..]);
    case "loader-overlap":
        return LoaderOverlap.Run(args[1..]);
    case "soak":
        return Soak.Run(args[1..]);
    case "sweep":
        return SparsitySweep.Run(args[1..]);
    default:
        IConfig config = DefaultConfig.Instance
            .AddColumn(new GflopsColumn(), new PeakFractionColumn(), new PairRateColumn())
            .WithOptions(ConfigOptions.JoinSummary);
        BenchmarkSwitcher.FromAssembly(typeof(GflopsColumn).Assembly).Run(args, config);
        return 0;
}
