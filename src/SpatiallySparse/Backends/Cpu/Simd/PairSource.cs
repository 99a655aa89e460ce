using System;
using System.Threading;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// The (input row, output row) pairs of one call: a rulebook's taps, or the single identity tap that turns
/// the rule kernels into a dense GEMM.
/// </summary>
internal readonly struct PairSource
{
    private readonly RuleBook? rules;
    private readonly int[]? identityRows;
    private readonly int identityCount;

    private PairSource(RuleBook? rules, int[]? identityRows, int identityCount)
    {
        this.rules = rules;
        this.identityRows = identityRows;
        this.identityCount = identityCount;
    }

    public int Taps => rules?.FilterVolume ?? 1;

    public long PairCount => rules?.PairCount ?? identityCount;

    public int OutputRows => rules?.OutputRows ?? identityCount;

    public static PairSource From(RuleBook rules) => new(rules, null, 0);

    /// <summary>Pairs (r, r) for r &lt; rows.</summary>
    public static PairSource Identity(int rows) => new(null, IdentityRows.Get(rows), rows);

    public ReadOnlySpan<int> InputRowsOf(int tap) => rules is null ? identityRows.AsSpan(0, identityCount) : rules.InputRowsOf(tap);

    public ReadOnlySpan<int> OutputRowsOf(int tap) => rules is null ? identityRows.AsSpan(0, identityCount) : rules.OutputRowsOf(tap);

    /// <summary>The pairs of <paramref name="tap"/> whose output row lies in [first, end), found by binary search.</summary>
    public void PairsWithin(int tap, int first, int end, out ReadOnlySpan<int> inRows, out ReadOnlySpan<int> outRows)
    {
        ReadOnlySpan<int> outs = OutputRowsOf(tap);
        int lo = SortedSearch.LowerBound(outs, first);
        int hi = SortedSearch.LowerBound(outs, end);
        inRows = InputRowsOf(tap)[lo..hi];
        outRows = outs[lo..hi];
    }
}

/// <summary>The row list 0, 1, 2, ... shared by every identity mapping; one array that only ever grows.</summary>
internal static class IdentityRows
{
    private static int[] rows = [];

    /// <summary>An array with rows[i] == i and at least <paramref name="count"/> entries.</summary>
    public static int[] Get(int count)
    {
        int[] current = Volatile.Read(ref rows);
        if (current.Length >= count)
        {
            return current;
        }

        // A race here only builds two equal arrays; either one stays valid forever.
        int[] grown = new int[Math.Max(count, 2 * current.Length)];
        for (int i = 0; i < grown.Length; i++)
        {
            grown[i] = i;
        }

        Volatile.Write(ref rows, grown);
        return grown;
    }
}
