using System.Buffers;

namespace SpatiallySparse.Geometry;

/// <summary>
/// Per-coordinate tables of one axis of a <see cref="PlanarRules"/> build, so that the passes over the input sites
/// look windows up instead of dividing: for coordinate x, the windows [First, Last] that cover it (First =
/// Last + 1 when none does, both inside [-1, windows - 1]), the bit mask of those windows over a 64-bit word pair
/// (for the output bitmap) and x's class: coordinates with the same set of valid taps share one, and a build
/// counts inputs per pair of classes instead of pairs per tap. An axis of n coordinates has few classes (for
/// stride 1: the interior and the f - 1 at each border; for pooling: one per tap).
/// </summary>
internal readonly struct PlanarAxis
{
    /// <summary>Largest filter extent the tables handle: a coordinate's taps and windows must fit one 64-bit mask.</summary>
    public const int MaxFilter = 64;

    private readonly int[] _ints;     // [0, n): first window; [n, 2n): last; [2n, 3n): class; [3n, 4n): first window's word; [4n, 5n): its tap
    private readonly ulong[] _longs;  // [0, 2n): the windows' masks on words (Word, Word + 1); then each class's taps

    private PlanarAxis(int length, int filter, int stride, int windows)
    {
        (Length, Filter, Stride) = (length, filter, stride);
        _ints = ArrayPool<int>.Shared.Rent(5 * length);
        _longs = ArrayPool<ulong>.Shared.Rent(3 * length);
        Span<ulong> taps = _longs.AsSpan(2 * length, length);
        int classes = 0;
        for (int x = 0; x < length; x++)
        {
            // o*s <= x <= o*s + f - 1  =>  ceil((x - f + 1) / s) <= o <= floor(x / s)
            int first = Math.Max(0, x - filter + stride) / stride, last = Math.Min(windows - 1, x / stride);
            if (first > last)
                (first, last) = (Math.Min(first, windows - 1), Math.Min(first, windows - 1) - 1);
            ulong set = 0;
            for (int o = first; o <= last; o++)
                set |= 1UL << (x - o * stride);
            int c = classes > 0 && taps[classes - 1] == set ? classes - 1 : taps[..classes].IndexOf(set);
            if (c < 0)
                (taps[classes], c) = (set, classes++);
            (_ints[x], _ints[length + x], _ints[2 * length + x], _ints[4 * length + x]) = (first, last, c, x - first * stride);
            SetMask(x, first, last - first + 1);
        }
        Classes = classes;
    }

    /// <summary>The tables of an axis of <paramref name="length"/> coordinates under <paramref name="windows"/> windows; pooled storage, see <see cref="Return"/>.</summary>
    public static PlanarAxis Rent(int length, int filter, int stride, int windows)
    {
        if (filter > MaxFilter)
            throw new ArgumentOutOfRangeException(nameof(filter), $"Planar tables handle filters of at most {MaxFilter}, not {filter}.");
        return new PlanarAxis(length, filter, stride, windows);
    }

    public int Length { get; }

    public int Filter { get; }

    public int Stride { get; }

    /// <summary>Number of distinct tap sets (classes) among the coordinates.</summary>
    public int Classes { get; }

    public ReadOnlySpan<int> First => _ints.AsSpan(0, Length);

    public ReadOnlySpan<int> Last => _ints.AsSpan(Length, Length);

    public ReadOnlySpan<int> Class => _ints.AsSpan(2 * Length, Length);

    /// <summary>The bitmap word (of an output row) that holds coordinate x's first window.</summary>
    public ReadOnlySpan<int> Word => _ints.AsSpan(3 * Length, Length);

    /// <summary>The tap through which coordinate x's first window sees it (x - First[x] * stride); each later window's is one stride less.</summary>
    public ReadOnlySpan<int> Tap => _ints.AsSpan(4 * Length, Length);

    /// <summary>Entries 2x and 2x + 1: coordinate x's windows as bits of words Word[x] and Word[x] + 1.</summary>
    public ReadOnlySpan<ulong> Masks => _longs.AsSpan(0, 2 * Length);

    /// <summary>Bit t of entry c: tap t is valid for the coordinates of class c.</summary>
    public ReadOnlySpan<ulong> TapSets => _longs.AsSpan(2 * Length, Classes);

    public void Return()
    {
        ArrayPool<int>.Shared.Return(_ints);
        ArrayPool<ulong>.Shared.Return(_longs);
    }

    /// <summary>Windows [first, first + count) as bits of two consecutive words (count &lt;= 64, so never three).</summary>
    private void SetMask(int x, int first, int count)
    {
        int bit = first & 63;
        ulong run = count == 0 ? 0 : ulong.MaxValue >> (64 - count);
        _ints[3 * Length + x] = first >> 6;
        _longs[2 * x] = run << bit;
        // A shift by 64 would be a shift by 0 in C#: split it.
        _longs[2 * x + 1] = bit == 0 ? 0 : run >> 1 >> (63 - bit);
    }
}
