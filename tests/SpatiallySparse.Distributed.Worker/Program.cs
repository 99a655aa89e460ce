using SpatiallySparse.Distributed;
using SpatiallySparse.Distributed.Worker;

// Test and measurement program for SpatiallySparse.Distributed, started by the tests under `mpiexec -n 2`
// (or alone with --reference true: one process, no MPI). Usage: --mode train|throw|time [--name value ...],
// see TrainRun and StepTiming.
WorkerOptions options = new(args);
string mode = options.Text("mode", "train");
if (options.Flag("reference"))
    return TrainRun.Reference(options);
using DistributedSession session = new(args);
int exitCode = 0;
session.RunOrAbort(s => exitCode = mode switch
{
    "train" => TrainRun.Distributed(options, s),
    "throw" => TrainRun.ThrowOnRankOne(options, s),
    "time" => StepTiming.Run(options, s),
    _ => throw new ArgumentException($"--mode '{mode}': expected train, throw or time."),
});
return exitCode;
