using System.Runtime.CompilerServices;

namespace SpatiallySparse.Geometry;

/// <summary>
/// Callbacks run once when a grid's or rulebook's storage is released: a device backend frees its copy then, instead
/// of waiting for the garbage collector. They live in a table keyed by the object, not in a field of it: a warm step
/// allocates one grid (its input's), and a field would grow every step's allocations by 8 bytes for a feature only
/// a device backend uses. The table is looked at only once some hook was added, so the CPU path pays one flag read
/// per release. Registration may race with the release (another thread disposing the metadata), so both sides swap
/// the delegate atomically: each callback runs at most once.
/// </summary>
internal static class ReleaseHooks
{
    private static readonly ConditionalWeakTable<object, Hooks> Table = [];
    private static volatile bool _used;

    /// <summary>Adds <paramref name="action"/> to the callbacks of <paramref name="owner"/>.</summary>
    public static void Add(object owner, Action action)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(action);
        _used = true;
        Hooks hooks = Table.GetValue(owner, static _ => new Hooks());
        Action? seen, combined;
        do
        {
            seen = Volatile.Read(ref hooks.Actions);
            combined = seen + action;
        }
        while (Interlocked.CompareExchange(ref hooks.Actions, combined, seen) != seen);
    }

    /// <summary>Takes every callback of <paramref name="owner"/> out of the table and runs them.</summary>
    public static void Run(object owner)
    {
        if (!_used || !Table.TryGetValue(owner, out Hooks? hooks))
            return;
        Table.Remove(owner);
        Interlocked.Exchange(ref hooks.Actions, null)?.Invoke();
    }

    private sealed class Hooks
    {
        public Action? Actions;
    }
}
