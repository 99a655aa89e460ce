namespace SpatiallySparse.Geometry;

/// <summary>
/// How many threads geometry built on the calling thread may use. A batch loader's worker is itself one of
/// several threads building batches beside a training step, so it builds on its own thread: spreading its rules
/// over the shared worker pool would take that pool from the step's kernels (which then fall back to
/// Parallel.For) and oversubscribe the cores. The result never depends on the thread count.
/// </summary>
internal static class GeometryThreads
{
    [ThreadStatic]
    private static int t_limit;

    /// <summary>The calling thread's cap (0: none, one thread per processor).</summary>
    public static int Limit
    {
        get => t_limit;
        set => t_limit = Math.Max(0, value);
    }

    /// <summary>Threads to use for <paramref name="requested"/> (0: as many as allowed).</summary>
    public static int For(int requested) =>
        requested > 0 ? requested : t_limit > 0 ? t_limit : Environment.ProcessorCount;

    /// <summary>
    /// Lowers this thread's cap to <paramref name="cap"/> (0: unchanged) and returns the previous cap, which the
    /// caller restores in a finally block: a batch's geometry follows its backend's thread count
    /// (<c>CpuBackend(threads: 1)</c> builds on one thread).
    /// </summary>
    public static int Lower(int cap)
    {
        int saved = t_limit;
        if (cap > 0 && (saved == 0 || cap < saved))
            t_limit = cap;
        return saved;
    }

    /// <summary>Threads for a rulebook built under <paramref name="cap"/> (0: none) on a thread capped at <see cref="Limit"/>.</summary>
    public static int Capped(int cap) => Math.Min(cap > 0 ? cap : int.MaxValue, For(0));

    /// <summary>
    /// Test hook: while set, every geometry work item records the managed thread it ran on, so a test can count the
    /// threads a build used. Null (the default) costs one read per work item.
    /// </summary>
    internal static System.Collections.Concurrent.ConcurrentDictionary<int, byte>? ObservedThreads { get; set; }

    /// <summary>Records the calling thread in <see cref="ObservedThreads"/> when a test watches.</summary>
    public static void Observe() => ObservedThreads?.TryAdd(Environment.CurrentManagedThreadId, 0);
}
