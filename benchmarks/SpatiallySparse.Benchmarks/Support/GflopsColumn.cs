using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace SpatiallySparse.Benchmarks.Support;

/// <summary>GFLOP/s of a benchmark implementing <see cref="IFlopCounted"/>, from its mean time.</summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Floating-point operations (multiply-add = 2) per second, billions";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? g = Compute(summary, benchmarkCase);
        return g is null ? "-" : g.Value.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static double? Compute(Summary summary, BenchmarkCase benchmarkCase)
    {
        BenchmarkReport? report = summary[benchmarkCase];
        if (report?.ResultStatistics is null)
            return null;
        if (Activator.CreateInstance(benchmarkCase.Descriptor.Type) is not IFlopCounted counted)
            return null;
        Dictionary<string, object> parameters = benchmarkCase.Parameters.Items.ToDictionary(p => p.Name, p => p.Value);
        double flops = counted.Flops(benchmarkCase.Descriptor.WorkloadMethod.Name, parameters);
        return flops / report.ResultStatistics.Mean; // FLOP per ns = GFLOP/s
    }
}

/// <summary>Fraction of the register-only FMA peak (<see cref="Kernels.FmaPeakBenchmarks"/>) measured in the same run.</summary>
public sealed class PeakFractionColumn : IColumn
{
    public string Id => nameof(PeakFractionColumn);

    public string ColumnName => "% of FMA peak";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "GFLOP/s relative to the multi-threaded FMA peak benchmark of the same run";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        BenchmarkCase? peakCase = summary.BenchmarksCases.FirstOrDefault(b =>
            b.Descriptor.Type == typeof(Kernels.FmaPeakBenchmarks) && b.Descriptor.WorkloadMethod.Name == nameof(Kernels.FmaPeakBenchmarks.AllCores));
        double? peak = peakCase is null ? null : GflopsColumn.Compute(summary, peakCase);
        double? value = GflopsColumn.Compute(summary, benchmarkCase);
        return peak is null || value is null ? "-" : (100 * value.Value / peak.Value).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%";
    }
}
