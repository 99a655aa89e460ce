using Spectre.Console;

namespace SpatiallySparse.Samples.Common;

/// <summary>Progress of one batch, for display.</summary>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches in the epoch.</param>
/// <param name="Loss">Mean training loss so far in the epoch.</param>
/// <param name="ImagesPerSecond">Training throughput so far in the epoch.</param>
public readonly record struct BatchStatus(int Batch, int Batches, double Loss, double ImagesPerSecond);

/// <summary>Shows training progress.</summary>
public interface ITrainingReporter
{
    /// <summary>Runs <paramref name="epoch"/>, showing the progress it reports under <paramref name="title"/>.</summary>
    void RunEpoch(string title, int batches, Action<Action<BatchStatus>> epoch);

    /// <summary>Writes a line of text (epoch summaries, messages).</summary>
    void WriteLine(string line);
}

/// <summary>A Spectre.Console progress bar (epoch, batch, loss, images/s, ETA); plain lines when the output is not a terminal.</summary>
public sealed class ConsoleReporter : ITrainingReporter
{
    /// <inheritdoc/>
    public void RunEpoch(string title, int batches, Action<Action<BatchStatus>> epoch)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Redirected output (logs, CI): a line every tenth of the epoch instead of a redrawn bar.
            int every = Math.Max(1, batches / 10);
            epoch(s =>
            {
                if (s.Batch % every == 0 || s.Batch == s.Batches)
                    Console.WriteLine($"{title}  batch {s.Batch}/{s.Batches}  loss {s.Loss:0.0000}  {s.ImagesPerSecond:0} img/s");
            });
            return;
        }
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape(title), maxValue: batches);
                epoch(s =>
                {
                    task.Description = Markup.Escape($"{title}  batch {s.Batch}/{s.Batches}  loss {s.Loss:0.0000}  {s.ImagesPerSecond:0} img/s");
                    task.Value = s.Batch;
                });
            });
    }

    /// <inheritdoc/>
    public void WriteLine(string line)
    {
        // Redirected output keeps its lines whole (Spectre.Console would wrap them at 80 columns).
        if (AnsiConsole.Profile.Capabilities.Interactive)
            AnsiConsole.WriteLine(line);
        else
            Console.WriteLine(line);
    }
}

/// <summary>Writes epoch summaries to a text writer and nothing per batch (tests).</summary>
public sealed class TextReporter(TextWriter writer) : ITrainingReporter
{
    /// <inheritdoc/>
    public void RunEpoch(string title, int batches, Action<Action<BatchStatus>> epoch) => epoch(_ => { });

    /// <inheritdoc/>
    public void WriteLine(string line) => writer.WriteLine(line);
}
