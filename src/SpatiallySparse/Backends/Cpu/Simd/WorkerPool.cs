using System;
using System.Threading;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// Long-lived worker threads for <see cref="ParallelJob"/>: handing a job to a parked thread allocates nothing,
/// where each Parallel.For call allocates its tasks and closures (about 1 KB, dozens of calls per training
/// step). A worker that has not started when the caller has drained every item is withdrawn instead of
/// waited for, so a busy machine that is slow to schedule it does not stall the caller (the role of
/// Parallel.For's inlining). One caller at a time uses the pool; other threads fall back to Parallel.For, which
/// is always correct because items are claimed dynamically. A nested call from the thread that holds the pool
/// (a job that runs a job) drains inline: the lock is re-entrant, so it would otherwise re-post the busy helpers
/// and overwrite the outer job's hand-off.
/// </summary>
internal static class WorkerPool
{
    /// <summary>More helpers than this are never useful on one machine; larger requests are capped.</summary>
    private const int MaxHelpers = 63;

    private static readonly Lock Gate = new();
    private static Helper[] helpers = [];

    /// <summary>Runs <paramref name="job"/> with worker 0 on the calling thread and workers 1.. on helpers.</summary>
    public static void Run(ParallelJob job, int workers)
    {
        if (Gate.IsHeldByCurrentThread)
        {
            job.Drain(0);
            return;
        }

        if (!Gate.TryEnter())
        {
            Parallel.For(0, workers, job.Drain);
            return;
        }

        try
        {
            int count = Math.Min(workers - 1, MaxHelpers);
            EnsureHelpers(count);
            for (int w = 0; w < count; w++)
            {
                helpers[w].Post(job, w + 1);
            }

            Exception? error = null;
            try
            {
                job.Drain(0);
            }
            catch (Exception e)
            {
                error = e;
            }

            for (int w = 0; w < count; w++)
            {
                error ??= helpers[w].Join();
            }

            if (error is not null)
            {
                throw new AggregateException(error);
            }
        }
        finally
        {
            Gate.Exit();
        }
    }

    private static void EnsureHelpers(int count)
    {
        if (helpers.Length >= count)
        {
            return;
        }

        Helper[] grown = new Helper[count];
        helpers.CopyTo(grown, 0);
        for (int i = helpers.Length; i < count; i++)
        {
            grown[i] = new Helper(i);
        }

        helpers = grown;
    }

    /// <summary>One parked thread and the hand-off of one job at a time.</summary>
    private sealed class Helper
    {
        private const int Idle = 0, Posted = 1, Running = 2;

        private readonly SemaphoreSlim wake = new(0);
        private readonly ManualResetEventSlim done = new(false);
        private ParallelJob? job;
        private int index;
        private int state;
        private Exception? error;

        public Helper(int number)
        {
            Thread thread = new(Loop) { IsBackground = true, Name = $"SpatiallySparse worker {number + 1}" };
            thread.Start();
        }

        public void Post(ParallelJob work, int worker)
        {
            job = work;
            index = worker;
            error = null;
            done.Reset();
            Volatile.Write(ref state, Posted);
            wake.Release();
        }

        /// <summary>Withdraws the job if the thread has not picked it up, else waits for it; returns its exception, if any.</summary>
        public Exception? Join()
        {
            if (Interlocked.CompareExchange(ref state, Idle, Posted) != Posted)
            {
                done.Wait();
            }

            job = null;
            return error;
        }

        private void Loop()
        {
            while (true)
            {
                wake.Wait();
                // A wake-up left over from a withdrawn job finds the state Idle and goes back to sleep.
                if (Interlocked.CompareExchange(ref state, Running, Posted) != Posted)
                {
                    continue;
                }

                try
                {
                    job!.Drain(index);
                }
                catch (Exception e)
                {
                    error = e;
                }
                finally
                {
                    Volatile.Write(ref state, Idle);
                    done.Set();
                }
            }
        }
    }
}
