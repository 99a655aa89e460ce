using ScottPlot;

namespace SpatiallySparse.Samples.Common;

/// <summary>PNG plots of a run (ScottPlot): test error and training loss per epoch, training time per epoch.</summary>
public static class ResultPlots
{
    /// <summary>Writes <c>test-error.png</c>, <c>loss.png</c> and <c>time-per-epoch.png</c> into <paramref name="folder"/>.</summary>
    public static void Write(string folder, IReadOnlyList<RunHistory> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        PerEpoch(Path.Combine(folder, "test-error.png"), runs, "Test error (%)", e => 100 * e.TestError);
        PerEpoch(Path.Combine(folder, "loss.png"), runs, "Training loss", e => e.TrainLoss);
        TimePerEpoch(Path.Combine(folder, "time-per-epoch.png"), runs);
    }

    private static void PerEpoch(string path, IReadOnlyList<RunHistory> runs, string label, Func<EpochRecord, double> value)
    {
        Plot plot = new();
        foreach (RunHistory run in runs.Where(r => r.Epochs.Count > 0))
        {
            ScottPlot.Plottables.Scatter line = plot.Add.Scatter(run.Epochs.Select(e => (double)e.Epoch).ToArray(), run.Epochs.Select(value).ToArray());
            line.LegendText = run.Name;
        }
        plot.Title(label + " per epoch");
        plot.XLabel("epoch");
        plot.YLabel(label);
        // Error and loss fall over training, so the upper right corner is the one the curves leave empty.
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 640, 420);
    }

    private static void TimePerEpoch(string path, IReadOnlyList<RunHistory> runs)
    {
        Plot plot = new();
        Tick[] ticks = new Tick[runs.Count];
        for (int i = 0; i < runs.Count; i++)
        {
            plot.Add.Bar(position: i, value: runs[i].SecondsPerEpoch);
            ticks[i] = new Tick(i, runs[i].Name);
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Margins(bottom: 0);
        plot.Title("Training time per epoch (sparse vs dense)");
        plot.YLabel("seconds per epoch");
        plot.SavePng(path, 640, 420);
    }
}
