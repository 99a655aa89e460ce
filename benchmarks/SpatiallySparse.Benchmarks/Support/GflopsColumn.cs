using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace SpatiallySparse.Benchmarks.Support;

/// <summary>The IColumn plumbing shared by the custom numeric columns.</summary>
public abstract class NumericColumn(string columnName, string legend, int priority) : IColumn
{
    public string Id => GetType().Name;

    public string ColumnName => columnName;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => priority;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => legend;

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public abstract string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style);

    protected static string Format(double? value, string suffix = "") =>
        value is null ? "-" : value.Value.ToString("0.0", CultureInfo.InvariantCulture) + suffix;
}

/// <summary>GFLOP/s of a benchmark implementing <see cref="IFlopCounted"/>, from its mean time.</summary>
public sealed class GflopsColumn() : NumericColumn("GFLOP/s", "Floating-point operations (multiply-add = 2) per second, billions", 0)
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        Format(Compute(summary, benchmarkCase));

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

/// <summary>Fraction of the multi-core FMA peak (<see cref="Kernels.FmaPeakBenchmarks"/>) measured in the same run.</summary>
public sealed class PeakFractionColumn() : NumericColumn("% of FMA peak", "GFLOP/s relative to the all-cores FMA peak benchmark of the same run", 1)
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        BenchmarkCase? peakCase = summary.BenchmarksCases.FirstOrDefault(b =>
            b.Descriptor.Type == typeof(Kernels.FmaPeakBenchmarks) && b.Descriptor.WorkloadMethod.Name == nameof(Kernels.FmaPeakBenchmarks.AllCores));
        double? peak = peakCase is null ? null : GflopsColumn.Compute(summary, peakCase);
        double? value = GflopsColumn.Compute(summary, benchmarkCase);
        return Format(peak is null || value is null ? null : 100 * value / peak, "%");
    }
}

/// <summary>Rulebook pairs built per second (millions) by a benchmark implementing <see cref="IPairCounted"/>.</summary>
public sealed class PairRateColumn() : NumericColumn("Mpairs/s", "Rulebook (input, output) pairs built per second, millions", 2)
{
    public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        BenchmarkReport? report = summary[benchmarkCase];
        if (report?.ResultStatistics is null || Activator.CreateInstance(benchmarkCase.Descriptor.Type) is not IPairCounted counted)
            return Format(null);
        Dictionary<string, object> parameters = benchmarkCase.Parameters.Items.ToDictionary(p => p.Name, p => p.Value);
        return Format(counted.Pairs(benchmarkCase.Descriptor.WorkloadMethod.Name, parameters) / report.ResultStatistics.Mean * 1e3); // pairs per ns x 1e3 = Mpairs/s
    }
}
