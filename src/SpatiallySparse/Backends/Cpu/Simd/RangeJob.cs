using System;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// Work on the index range [first, end) of some partition (elements, rows or samples). The struct carries the
/// operands (raw pointers into buffers the caller keeps pinned), so a run allocates nothing.
/// </summary>
internal interface IRangeOperation
{
    void Invoke(int first, int end);
}

/// <summary>
/// Splits [0, length) into chunks and runs <typeparamref name="TOperation"/> on them across the worker pool:
/// the memory-bound passes (activations, pooling) that a single core cannot saturate. Each chunk is one
/// item; the operation must write disjoint memory for disjoint chunks, and then the result does not depend
/// on the thread count.
/// </summary>
internal sealed class RangeJob<TOperation> : ParallelJob
    where TOperation : struct, IRangeOperation
{
    /// <summary>Below this many values touched, handing chunks to a second core costs more than it saves.</summary>
    private const long MinParallelValues = 1 << 16;

    [ThreadStatic]
    private static RangeJob<TOperation>? cached;

    private TOperation operation;
    private int length;
    private int chunk;

    /// <summary>
    /// Runs <paramref name="operation"/> over [0, <paramref name="length"/>) in chunks of <paramref name="chunk"/>;
    /// on the calling thread alone when <paramref name="work"/> (a rough count of values touched) is small.
    /// </summary>
    public static void Run(in TOperation operation, int length, int chunk, long work, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunk);
        int chunks = (int)(((long)length + chunk - 1) / chunk);
        int workers = WorkerCount(threads, chunks, work, MinParallelValues);
        if (workers <= 1)
        {
            if (length > 0)
            {
                operation.Invoke(0, length);
            }

            return;
        }

        // Taken out of the cache while running, so even a re-entrant call on this thread gets its own job.
        RangeJob<TOperation> job = cached ?? new RangeJob<TOperation>();
        cached = null;
        try
        {
            job.operation = operation;
            job.length = length;
            job.chunk = chunk;
            job.RunItems(chunks, workers);
        }
        finally
        {
            job.operation = default;
            cached = job;
        }
    }

    protected override void Execute(int item, int worker)
    {
        int first = item * chunk;
        operation.Invoke(first, (int)Math.Min((long)first + chunk, length));
    }
}
