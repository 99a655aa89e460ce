using SpatiallySparse.Distributed;
using SpatiallySparse.Samples.Common;

namespace MnistDeepCNet;

/// <summary>The sample as one rank of a data-parallel MPI job (<c>mpiexec -n N dotnet Mnist.DeepCNet.dll --distributed</c>).</summary>
public static class MnistDistributed
{
    /// <summary>Initialises MPI, trains this rank's replica, and returns the exit code (rank 0 reports and writes the results).</summary>
    public static int Run(string[] args, MnistOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Before MPI starts: a bad setting ends each rank with its message and exit code 1, not an abort of the whole
        // job, and is reported where no MPI library loads. (The batch's split over the ranks is checked once they are known.)
        if (!SampleMain.Checked(options.Validate))
            return 1;
        using DistributedSession session = new(args);
        int exitCode = 0;
        session.RunOrAbort(s =>
        {
            ITrainingReporter reporter = s.IsRoot ? new ConsoleReporter() : new TextReporter(TextWriter.Null);
            exitCode = SampleMain.Run(cancellation => MnistApp.Run(options, reporter, new DataFolder(), cancellation, s));
            // A rank that stopped on an error must not leave the others waiting in a collective: end the whole job.
            if (exitCode == 1)
                throw new InvalidOperationException("stopped on the error above; ending the job.");
        });
        return exitCode;
    }
}
