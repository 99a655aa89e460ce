using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using SpatiallySparse.Benchmarks.Networks;
using SpatiallySparse.Benchmarks.Support;

// Examples:
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- --filter '*'
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- --filter '*Convolution*' '*FmaPeak*'
// Benchmarks run in one joined summary so the GFLOP/s column can relate every kernel to the FMA peak
// measured in the same run.
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- step-profile --k 60,20
// (a plain console run, not BenchmarkDotNet: DeepCNet training step split by phase; see Networks/StepProfile.cs)
if (args is ["step-profile", ..])
{
    StepProfile.Run(args[1..]);
    return;
}

IConfig config = DefaultConfig.Instance
    .AddColumn(new GflopsColumn(), new PeakFractionColumn())
    .WithOptions(ConfigOptions.JoinSummary);
BenchmarkSwitcher.FromAssembly(typeof(GflopsColumn).Assembly).Run(args, config);
