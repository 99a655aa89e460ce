using NUnit.Framework;
using SpatiallySparse.Backends.Cpu.Simd;

namespace SpatiallySparse.Tests.Cpu;

/// <summary>The parked worker threads behind <see cref="ParallelJob"/>: every item once, errors surface, callers may overlap.</summary>
[TestFixture]
public sealed class WorkerPoolTests
{
    /// <summary>Counts how often each item ran; optionally throws at one item.</summary>
    private sealed class CountingJob(int items, int throwAt = -1) : ParallelJob
    {
        public int[] Runs { get; } = new int[items];

        public void Run(int workers) => RunItems(Runs.Length, workers);

        protected override void Execute(int item, int worker)
        {
            if (item == throwAt)
                throw new InvalidOperationException($"item {item}");
            Interlocked.Increment(ref Runs[item]);
            Thread.SpinWait(200);  // long enough for helpers to take part
        }
    }

    [Test]
    public void EveryItemRunsExactlyOnceForAnyWorkerCount([Values(1, 2, 3, 5)] int workers)
    {
        for (int round = 0; round < 50; round++)
        {
            CountingJob job = new(37);
            job.Run(workers);
            Assert.That(job.Runs, Is.All.EqualTo(1), $"round {round}");
        }
    }

    [Test]
    public void AnItemsExceptionReachesTheCallerAndThePoolKeepsWorking()
    {
        CountingJob failing = new(40, throwAt: 23);
        Assert.That(() => failing.Run(3), Throws.InstanceOf<AggregateException>().With.InnerException.Message.EqualTo("item 23"));
        CountingJob next = new(40);
        next.Run(3);
        Assert.That(next.Runs, Is.All.EqualTo(1));
    }

    /// <summary>Each item runs a whole inner job on 2 workers, as a job that calls a parallel kernel would.</summary>
    private sealed class NestingJob(int items, int innerItems) : ParallelJob
    {
        public int[] Runs { get; } = new int[items];

        public CountingJob[] Inner { get; } = [.. Enumerable.Range(0, items).Select(_ => new CountingJob(innerItems))];

        public void Run(int workers) => RunItems(Runs.Length, workers);

        protected override void Execute(int item, int worker)
        {
            Inner[item].Run(2);
            Interlocked.Increment(ref Runs[item]);
        }
    }

    [Test]
    public void ANestedRunFinishesEveryOuterAndInnerItemOnce()
    {
        // Issue 16: the re-entrant lock let a nested Run on the calling thread re-post the busy helpers.
        for (int round = 0; round < 20; round++)
        {
            NestingJob job = new(24, 30);
            Task run = Task.Run(() => job.Run(3));
            Assert.That(run.Wait(TimeSpan.FromSeconds(30)), Is.True, $"round {round}: the nested run did not finish");
            Assert.That(job.Runs, Is.All.EqualTo(1), $"round {round}");
            Assert.That(job.Inner.SelectMany(j => j.Runs), Is.All.EqualTo(1), $"round {round}");
        }
    }

    [Test]
    public void OverlappingCallersEachGetEveryItem()
    {
        CountingJob[] jobs = [.. Enumerable.Range(0, 8).Select(_ => new CountingJob(200))];
        Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = 4 }, job => job.Run(2));
        foreach (CountingJob job in jobs)
            Assert.That(job.Runs, Is.All.EqualTo(1));
    }
}
