namespace SpatiallySparse.Geometry;

/// <summary>Searches in the strictly increasing row and key lists that geometry builds (rulebook rows, linear indices, line keys).</summary>
internal static class SortedSearch
{
    /// <summary>
    /// The first index of <paramref name="strictlyIncreasing"/> whose value is at least <paramref name="value"/> (its
    /// length if none). With no repeated values, a binary search's hit is that index and its miss the complement of it.
    /// </summary>
    public static int LowerBound<T>(ReadOnlySpan<T> strictlyIncreasing, T value)
        where T : IComparable<T>
    {
        int i = strictlyIncreasing.BinarySearch(value);
        return i >= 0 ? i : ~i;
    }
}
