namespace SpatiallySparse.Geometry;

/// <summary>
/// Callbacks run once when a grid's or rulebook's storage is released. Registration may race with the release
/// (another thread disposing the metadata), so both sides swap the delegate atomically: each callback runs once.
/// </summary>
internal static class ReleaseHooks
{
    /// <summary>Adds <paramref name="action"/> to <paramref name="hooks"/>.</summary>
    public static void Add(ref Action? hooks, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Action? seen, combined;
        do
        {
            seen = Volatile.Read(ref hooks);
            combined = seen + action;
        }
        while (Interlocked.CompareExchange(ref hooks, combined, seen) != seen);
    }

    /// <summary>Takes every callback out of <paramref name="hooks"/> and runs them.</summary>
    public static void Run(ref Action? hooks) => Interlocked.Exchange(ref hooks, null)?.Invoke();
}
