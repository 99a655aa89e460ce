using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace SpatiallySparse.Geometry;

/// <summary>
/// Open-addressing hash map from a site key (sample and linear index packed in a non-negative long) to a row.
/// Linear probing over power-of-two tables: the rulebook builders do millions of lookups per batch, and a
/// Dictionary's per-entry overhead and indirection cost several times more. The tables are rented from the
/// shared array pool and given back by <see cref="Release"/>, so a training loop reuses them batch after batch.
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
        (_keys, _values) = Rent(capacity);
        _mask = capacity - 1;
    }

    public int Count { get; private set; }

    /// <summary>Row stored for <paramref name="key"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Get(long key)
    {
        long[] keys = _keys;
        int slot = Slot(key);
        while (true)
        {
            long k = keys[slot];
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
        if ((Count + 1) * 2 > _mask + 1)
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

    /// <summary>Gives the tables back to the pool; the map is empty and unusable afterwards.</summary>
    public void Release()
    {
        if (_keys.Length > 0)
        {
            ArrayPool<long>.Shared.Return(_keys);
            ArrayPool<int>.Shared.Return(_values);
        }
        _keys = [];
        _values = [];
        _mask = 0;
        Count = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(long key)
    {
        // Fibonacci hashing spreads the consecutive linear indices of a stroke over the table.
        ulong h = (ulong)key * 0x9E3779B97F4A7C15UL;
        return (int)(h >> 32) & _mask;
    }

    /// <summary>Rented tables of exactly <paramref name="capacity"/> used slots, all empty.</summary>
    private static (long[] Keys, int[] Values) Rent(int capacity)
    {
        long[] keys = ArrayPool<long>.Shared.Rent(capacity);
        int[] values = ArrayPool<int>.Shared.Rent(capacity);
        keys.AsSpan(0, capacity).Fill(Empty);
        return (keys, values);
    }

    private void Grow()
    {
        long[] keys = _keys;
        int[] values = _values;
        int oldCapacity = _mask + 1;
        (_keys, _values) = Rent(oldCapacity * 2);
        _mask = oldCapacity * 2 - 1;
        Count = 0;
        for (int i = 0; i < oldCapacity; i++)
            if (keys[i] != Empty)
                GetOrAdd(keys[i], values[i]);
        if (keys.Length > 0)
        {
            ArrayPool<long>.Shared.Return(keys);
            ArrayPool<int>.Shared.Return(values);
        }
    }
}
