using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using SpatiallySparse.Benchmarks.Support;

// Examples:
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- --filter '*'
//   dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- --filter '*Convolution*' '*FmaPeak*'
// Benchmarks run in one joined summary so the GFLOP/s column can relate every kernel to the FMA peak
// measured in the same run.
IConfig config = DefaultConfig.Instance
    .AddColumn(new GflopsColumn(), new PeakFractionColumn())
    .WithOptions(ConfigOptions.JoinSummary);
BenchmarkSwitcher.FromAssembly(typeof(GflopsColumn).Assembly).Run(args, config);
