using System.Diagnostics;

namespace SpatiallySparse.Distributed.Worker;

/// <summary>
/// --mode time: times data-parallel training steps of DeepCNet(--l 5, --k 60) with --batch samples per rank and
/// --threads CPU threads per rank (--steps timed after --warmup), then the bare all-reduce of a gradient-sized
/// buffer. Rank 0 prints the medians; compare `mpiexec -n 2 ... --threads 1 --batch 50` with
/// `mpiexec -n 1 ... --threads 2 --batch 100` (the same global batch).
/// </summary>
internal static class StepTiming
{
    public static int Run(WorkerOptions options, DistributedSession session)
    {
        using TrainingSetup setup = new(options, session, l: 5, k: 60);
        int warmup = options.Int("warmup", 3), steps = options.Int("steps", 10), batch = options.Int("batch", 50);
        List<double> stepMs = [], commMs = [], waitMs = [];
        for (int i = 0; i < warmup + steps; i++)
        {
            SpatiallySparse.Data.SparseBatch next = setup.NextBatch(i);  // built by the loader ahead: not timed
            session.Barrier();
            long start = Stopwatch.GetTimestamp();
            setup.Step(next);
            if (i < warmup)
                continue;
            stepMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            commMs.Add(setup.Parallel!.LastCommunicationSeconds * 1e3);
            waitMs.Add(setup.Parallel.LastWaitSeconds * 1e3);
        }
        long length = setup.Parallel!.GradientLength;
        double allreduceMs = TimeAllreduce(session, length, steps);
        if (session.IsRoot)
            Report(session, options, batch, length, Median(stepMs), Median(commMs), Median(waitMs), allreduceMs);
        return 0;
    }

    private static double TimeAllreduce(DistributedSession session, long length, int repeats)
    {
        float[] buffer = new float[length];
        List<double> times = [];
        for (int i = 0; i < repeats + 2; i++)
        {
            session.Barrier();
            long start = Stopwatch.GetTimestamp();
            session.AllreduceSum(buffer);
            if (i >= 2)
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return Median(times);
    }

    private static void Report(DistributedSession session, WorkerOptions options, int batch, long length, double step, double comm, double wait, double allreduce)
    {
        int world = session.WorldSize;
        Console.WriteLine(FormattableString.Invariant(
            $"ranks {world} threads_per_rank {options.Int("threads", 1)} batch_per_rank {batch} overlap {options.Text("overlap", "true")} gradient_mb {length * 4 / 1e6:0.000}"));
        Console.WriteLine(FormattableString.Invariant(
            $"median_step_ms {step:0.0} per_rank_samples_per_s {batch / step * 1e3:0.0} global_samples_per_s {world * batch / step * 1e3:0.0}"));
        Console.WriteLine(FormattableString.Invariant(
            $"median_allreduce_in_step_ms {comm:0.00} median_wait_after_backward_ms {wait:0.00} bare_allreduce_ms {allreduce:0.00}"));
    }

    private static double Median(List<double> values)
    {
        List<double> sorted = [.. values.Order()];
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }
}
