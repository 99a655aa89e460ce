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
}
