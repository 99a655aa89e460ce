namespace SpatiallySparse.Geometry;

/// <summary>
/// The pairs (input row, output row) of a sparse operation, one flat list per filter offset ("tap"), as in
/// SparseConvNet. Within a tap the output rows are strictly increasing and the input rows distinct, so a
/// backend can split a tap's pairs between threads by output row without races. Immutable; built once per
/// batch geometry by <see cref="Metadata"/> and shared by forward and backward.
/// </summary>
public sealed class RuleBook
{
    private readonly int[] _inputRows;
    private readonly int[] _outputRows;
    private readonly int[] _tapStart;
    private RuleBook? _transposed;
    private int[]? _neighbours;

    /// <summary>Builds a rulebook from per-tap lists; each tap's pairs are sorted by output row here.</summary>
    internal RuleBook(int filterVolume, int inputRows, int outputRows, int[][] inputRowsPerTap, int[][] outputRowsPerTap)
    {
        if (inputRowsPerTap.Length != filterVolume || outputRowsPerTap.Length != filterVolume)
            throw new ArgumentException($"Expected {filterVolume} taps of pairs.");
        FilterVolume = filterVolume;
        InputRows = inputRows;
        OutputRows = outputRows;
        _tapStart = new int[filterVolume + 1];
        for (int t = 0; t < filterVolume; t++)
        {
            if (inputRowsPerTap[t].Length != outputRowsPerTap[t].Length)
                throw new ArgumentException($"Tap {t} has {inputRowsPerTap[t].Length} input rows but {outputRowsPerTap[t].Length} output rows.");
            _tapStart[t + 1] = _tapStart[t] + inputRowsPerTap[t].Length;
        }
        _inputRows = new int[_tapStart[filterVolume]];
        _outputRows = new int[_tapStart[filterVolume]];
        for (int t = 0; t < filterVolume; t++)
        {
            Span<int> ins = _inputRows.AsSpan(_tapStart[t], inputRowsPerTap[t].Length);
            Span<int> outs = _outputRows.AsSpan(_tapStart[t], outputRowsPerTap[t].Length);
            inputRowsPerTap[t].CopyTo(ins);
            outputRowsPerTap[t].CopyTo(outs);
            if (!IsStrictlyIncreasing(outs))
                outs.Sort(ins);
            Validate(t, ins, outs);
        }
    }

    /// <summary>Number of filter offsets (taps).</summary>
    public int FilterVolume { get; }

    /// <summary>Rows of the input feature matrix.</summary>
    public int InputRows { get; }

    /// <summary>Rows of the output feature matrix.</summary>
    public int OutputRows { get; }

    /// <summary>Total number of pairs over all taps (the multiply-adds of a convolution are PairCount x Cin x Cout).</summary>
    public int PairCount => _inputRows.Length;

    /// <summary>Input rows of the pairs of tap <paramref name="tap"/>.</summary>
    public ReadOnlySpan<int> InputRowsOf(int tap) => _inputRows.AsSpan(_tapStart[tap], _tapStart[tap + 1] - _tapStart[tap]);

    /// <summary>Output rows of the pairs of tap <paramref name="tap"/> (strictly increasing).</summary>
    public ReadOnlySpan<int> OutputRowsOf(int tap) => _outputRows.AsSpan(_tapStart[tap], _tapStart[tap + 1] - _tapStart[tap]);

    /// <summary>The same pairs with input and output swapped (for backward to the input); built once, cached.</summary>
    public RuleBook Transposed
    {
        get
        {
            RuleBook? t = Volatile.Read(ref _transposed);
            if (t is not null)
                return t;
            int[][] ins = new int[FilterVolume][];
            int[][] outs = new int[FilterVolume][];
            for (int tap = 0; tap < FilterVolume; tap++)
            {
                ins[tap] = OutputRowsOf(tap).ToArray();
                outs[tap] = InputRowsOf(tap).ToArray();
            }
            t = new RuleBook(FilterVolume, OutputRows, InputRows, ins, outs) { _transposed = this };
            return Interlocked.CompareExchange(ref _transposed, t, null) ?? t;
        }
    }

    /// <summary>
    /// Output-major view: entry <c>[row * FilterVolume + tap]</c> is the input row feeding output <c>row</c>
    /// through <c>tap</c>, or -1. Pooling walks it so each output sees its window in tap order. Built once.
    /// </summary>
    public ReadOnlySpan<int> NeighbourTable
    {
        get
        {
            int[]? table = Volatile.Read(ref _neighbours);
            if (table is null)
            {
                table = new int[checked(OutputRows * FilterVolume)];
                Array.Fill(table, -1);
                for (int tap = 0; tap < FilterVolume; tap++)
                {
                    ReadOnlySpan<int> ins = InputRowsOf(tap);
                    ReadOnlySpan<int> outs = OutputRowsOf(tap);
                    for (int p = 0; p < ins.Length; p++)
                        table[outs[p] * FilterVolume + tap] = ins[p];
                }
                table = Interlocked.CompareExchange(ref _neighbours, table, null) ?? table;
            }
            return table;
        }
    }

    /// <summary>Short description, e.g. <c>RuleBook(9 taps, 1200 -> 1500 rows, 9400 pairs)</c>.</summary>
    public override string ToString() => $"RuleBook({FilterVolume} taps, {InputRows} -> {OutputRows} rows, {PairCount} pairs)";

    private static bool IsStrictlyIncreasing(ReadOnlySpan<int> values)
    {
        for (int i = 1; i < values.Length; i++)
            if (values[i] <= values[i - 1])
                return false;
        return true;
    }

    private void Validate(int tap, ReadOnlySpan<int> ins, ReadOnlySpan<int> outs)
    {
        for (int p = 0; p < outs.Length; p++)
        {
            if ((uint)ins[p] >= (uint)InputRows || (uint)outs[p] >= (uint)OutputRows)
                throw new ArgumentException($"Tap {tap} pair {p} ({ins[p]}, {outs[p]}) is outside {InputRows} x {OutputRows} rows.");
            if (p > 0 && outs[p] == outs[p - 1])
                throw new ArgumentException($"Tap {tap} writes output row {outs[p]} twice.");
        }
    }
}
