namespace SpatiallySparse;

/// <summary>
/// A bounded free list of <typeparamref name="T"/> objects shared by every thread: the one home of the object
/// recycling that lets a warm training step allocate nothing (backward nodes, matrix handles, tensors that no
/// caller ever saw). Callers return only objects nothing else refers to; beyond the capacity, objects are left
/// to the GC.
/// </summary>
internal static class RecyclePool<T>
    where T : class
{
    // Enough for the objects of a deep network's step on a few tapes at once.
    private const int Capacity = 1024;
    private static readonly Stack<T> Free = new(Capacity);

    /// <summary>A free object, or null when there is none.</summary>
    public static T? TryRent()
    {
        lock (Free)
            return Free.TryPop(out T? item) ? item : null;
    }

    /// <summary>Keeps <paramref name="item"/> for a later <see cref="TryRent"/>.</summary>
    public static void Return(T item)
    {
        lock (Free)
        {
            if (Free.Count < Capacity)
                Free.Push(item);
        }
    }
}
