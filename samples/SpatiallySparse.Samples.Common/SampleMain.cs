namespace SpatiallySparse.Samples.Common;

/// <summary>The end of a sample's Main: Ctrl-C and SIGTERM handling, the errors a user can fix shown as one line, and the exit code.</summary>
public static class SampleMain
{
    /// <summary>
    /// Runs a sample's option checks before anything else starts (MPI, say): true when they pass, false after printing
    /// the bad setting's message as <see cref="Run"/> prints a settings error.
    /// </summary>
    public static bool Checked(Action check)
    {
        ArgumentNullException.ThrowIfNull(check);
        try
        {
            check();
            return true;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return false;
        }
    }

    /// <summary>
    /// Runs <paramref name="train"/> with a token that the first Ctrl-C or SIGTERM cancels. Returns 0, 130 when a run was
    /// interrupted (the shell's code for Ctrl-C), or 1 after printing a data, checkpoint or settings error.
    /// </summary>
    public static int Run(Func<CancellationToken, IReadOnlyList<RunHistory>> train)
    {
        ArgumentNullException.ThrowIfNull(train);
        using ConsoleCancellation cancel = ConsoleCancellation.Listen(Console.Error);
        try
        {
            return train(cancel.Token).Any(r => r.Interrupted) ? 130 : 0;
        }
        catch (Exception e) when (e is DataUnavailableException or IOException or ArgumentException or NotSupportedException or InvalidOperationException or SpatiallySparse.Data.SparseBatchException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
