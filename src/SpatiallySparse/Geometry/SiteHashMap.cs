using System.Numerics;
using System.Runtime.CompilerServices;

namespace SpatiallySparse.Geometry;

/// <summary>
/// Open-addressing hash map from a site key (sample and linear index packed in a non-negative long) to a row.
/// Linear probing over power-of-two tables: the rulebook builders do millions of lookups per batch, and a
/// Dictionary's per-entry overhead and indirection cost several times more.
/// </summary>
internal sealed class SiteHashMap
{
    private const long Empty = -1;
    private long[] _keys;
    private int[] _values;
    private int _mask;

    public SiteHashMap(int expectedCount)
    {
        int capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, expectedCount * 2));
        _keys = new long[capacity];
        _values = new int[capacity];
        Array.Fill(_keys, Empty);
        _mask = capacity - 1;
    }

    public int Count { get; private set; }

    /// <summary>Row stored for <paramref name="key"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Get(long key)
    {
        int slot = Slot(key);
        while (true)
        {
            long k = _keys[slot];
            if (k == key)
                return _values[slot];
            if (k == Empty)
                return -1;
            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>Adds <paramref name="key"/> with <paramref name="value"/> unless present; returns the stored row.</summary>
    public int GetOrAdd(long key, int value)
    {
        if ((Count + 1) * 2 > _keys.Length)
            Grow();
        int slot = Slot(key);
        while (true)
        {
            long k = _keys[slot];
            if (k == key)
                return _values[slot];
            if (k == Empty)
            {
                _keys[slot] = key;
                _values[slot] = value;
                Count++;
                return value;
            }
            slot = (slot + 1) & _mask;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(long key)
    {
        // Fibonacci hashing spreads the consecutive linear indices of a stroke over the table.
        ulong h = (ulong)key * 0x9E3779B97F4A7C15UL;
        return (int)(h >> 32) & _mask;
    }

    private void Grow()
    {
        long[] keys = _keys;
        int[] values = _values;
        _keys = new long[keys.Length * 2];
        _values = new int[keys.Length * 2];
        Array.Fill(_keys, Empty);
        _mask = _keys.Length - 1;
        Count = 0;
        for (int i = 0; i < keys.Length; i++)
            if (keys[i] != Empty)
                GetOrAdd(keys[i], values[i]);
    }
}
