namespace SpatiallySparse.Samples.Common;

/// <summary>Turns the first Ctrl-C into a cancellation request (the trainer saves and stops); a second one kills the process.</summary>
public static class ConsoleCancellation
{
    /// <summary>A source cancelled by Ctrl-C.</summary>
    public static CancellationTokenSource OnCtrlC(TextWriter log)
    {
        CancellationTokenSource source = new();
        Console.CancelKeyPress += (_, e) =>
        {
            if (source.IsCancellationRequested)
                return;
            e.Cancel = true;
            log.WriteLine("Ctrl-C: stopping after this batch and saving a checkpoint (press again to quit at once).");
            source.Cancel();
        };
        return source;
    }
}
