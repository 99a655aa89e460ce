using SpatiallySparse.Distributed;

namespace SpatiallySparse.Samples.Common;

/// <summary>The end of a sample's Main: Ctrl-C and SIGTERM handling, the errors a user can fix shown as one line, and the exit code.</summary>
public static class SampleMain
{
    /// <summary>
    /// Runs a sample's option checks before anything else starts (MPI, say): true when they pass, false after printing
    /// the bad setting's message as <see cref="Run(Func{CancellationToken, bool})"/> prints a settings error.
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
        return Run(cancellation => train(cancellation).Any(r => r.Interrupted));
    }

    /// <summary>As <see cref="Run(Func{CancellationToken, IReadOnlyList{RunHistory}})"/>, for a <paramref name="train"/> that returns whether it was interrupted.</summary>
    public static int Run(Func<CancellationToken, bool> train)
    {
        ArgumentNullException.ThrowIfNull(train);
        using ConsoleCancellation cancel = ConsoleCancellation.Listen(Console.Error);
        try
        {
            return train(cancel.Token) ? 130 : 0;
        }
        catch (Exception e) when (e is DataUnavailableException or IOException or ArgumentException or FormatException or NotSupportedException or InvalidOperationException or SpatiallySparse.Data.SparseBatchException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// The sample as one rank of a data-parallel MPI job (<c>mpiexec -n N dotnet Sample.dll ... --distributed</c>):
    /// initialises MPI, runs <paramref name="train"/> as <see cref="Run(Func{CancellationToken, IReadOnlyList{RunHistory}})"/>
    /// does, with a console reporter on rank 0 and a silent one elsewhere (rank 0 alone reports), and ends the whole
    /// job when a rank stops on an error, so that no other rank waits for it forever in a collective.
    /// </summary>
    public static int RunDistributed(string[] args, Func<DistributedSession, ITrainingReporter, CancellationToken, IReadOnlyList<RunHistory>> train)
    {
        ArgumentNullException.ThrowIfNull(train);
        return RunDistributed(args, (session, reporter, cancellation) => train(session, reporter, cancellation).Any(r => r.Interrupted));
    }

    /// <summary>As <see cref="RunDistributed(string[], Func{DistributedSession, ITrainingReporter, CancellationToken, IReadOnlyList{RunHistory}})"/>, for a <paramref name="train"/> that returns whether it was interrupted.</summary>
    public static int RunDistributed(string[] args, Func<DistributedSession, ITrainingReporter, CancellationToken, bool> train)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(train);
        using DistributedSession session = new(args);
        int exitCode = 0;
        session.RunOrAbort(s =>
        {
            ITrainingReporter reporter = s.IsRoot ? new ConsoleReporter() : new TextReporter(TextWriter.Null);
            exitCode = Run(cancellation => train(s, reporter, cancellation));
            // A rank that stopped on an error must not leave the others waiting in a collective: end the whole job.
            if (exitCode == 1)
                throw new InvalidOperationException("stopped on the error above; ending the job.");
        });
        return exitCode;
    }
}
