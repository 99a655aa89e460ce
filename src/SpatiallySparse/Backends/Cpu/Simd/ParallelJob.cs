using System;
using System.Threading;
using System.Threading.Tasks;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// Runs numbered work items on a fixed number of workers. Items are claimed dynamically (balances uneven
/// items), which cannot affect the result: every output element belongs to exactly one item and each item
/// is computed in a fixed order, so the bits are the same for any worker count.
/// </summary>
internal abstract unsafe class ParallelJob
{
    /// <summary>Below this many multiply-adds, scheduling costs more than a second core gains.</summary>
    private const long MinParallelWork = 1L << 20;

    /// <summary>
    /// Test hook, per calling thread: sees every run that is split over more than one worker (the job, its item
    /// count and its worker count), so a test can prove that a thread-count comparison really ran in parallel.
    /// </summary>
    [ThreadStatic]
    internal static Action<ParallelJob, int, int>? SplitObserver;

    private AlignedBuffer?[] scratch = [];
    private int itemCount;
    private int nextItem;

    /// <summary>Workers for <paramref name="items"/> items of <paramref name="work"/> in all: one below <paramref name="minWork"/>.</summary>
    protected static int WorkerCount(int threads, int items, long work, long minWork = MinParallelWork) =>
        work < minWork ? 1 : Math.Max(1, Math.Min(threads, items));

    protected void RunItems(int items, int workers)
    {
        if (scratch.Length < workers)
        {
            Array.Resize(ref scratch, workers);
        }

        itemCount = items;
        nextItem = 0;
        if (workers <= 1)
        {
            Drain(0);
        }
        else
        {
            SplitObserver?.Invoke(this, items, workers);
            WorkerPool.Run(this, workers);
        }
    }

    protected abstract void Execute(int item, int worker);

    /// <summary>Aligned scratch owned by one worker (index) for the duration of a run.</summary>
    protected float* Scratch(int worker, long floats) => (scratch[worker] ??= new AlignedBuffer()).Ensure(floats);

    /// <summary>Claims and executes items until none are left (worker <paramref name="worker"/>'s share).</summary>
    internal void Drain(int worker)
    {
        for (int item = Interlocked.Increment(ref nextItem) - 1; item < itemCount; item = Interlocked.Increment(ref nextItem) - 1)
        {
            Execute(item, worker);
        }
    }
}

/// <summary>Choices shared by the two rule jobs.</summary>
internal static class RulePlan
{
    /// <summary>Input-channel granularity of gradient work units: the micro-kernels' row block.</summary>
    public const int KBlock = 6;

    /// <summary>
    /// Whether to run the im2col form (gather each chunk's taps side by side, one product with the stacked
    /// weights). Rough cycle model per output row and 64 columns: a tap pass costs 2*cin for the FMAs plus ~12
    /// for loading and storing the output row; im2col costs 2*cin per tap slot, paired or not, at ~90% of the
    /// speed. So only for few channels, where the output traffic dominates, and dense enough rules.
    /// </summary>
    public static bool UseIm2Col<TKernel>(PairSource pairs, int cin)
        where TKernel : struct, IRuleKernel
    {
        if (!TKernel.Relayout || pairs.Taps == 1 || cin > 16)
        {
            return false;
        }

        long slots = (long)pairs.Taps * pairs.OutputRows;
        return 20L * cin * slots < 9L * ((2L * cin) + 12) * pairs.PairCount;
    }
}
