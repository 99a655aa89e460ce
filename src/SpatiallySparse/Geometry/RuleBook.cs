using System.Buffers;
using SpatiallySparse.Backends.Cpu.Simd;

namespace SpatiallySparse.Geometry;

/// <summary>
/// The pairs (input row, output row) of a sparse operation, one flat list per filter offset ("tap"), as in
/// SparseConvNet. Within a tap the output rows are strictly increasing and the input rows distinct, so a
/// backend can split a tap's pairs between threads by output row without races. Immutable; built once per
/// batch geometry by <see cref="Metadata"/> and shared by forward and backward. Rulebooks of a batch's
/// metadata keep their pairs in pooled storage that the metadata gives back when it is disposed.
/// </summary>
public sealed class RuleBook
{
    private int _pairCount;
    // One int of flags and the thread cap instead of four bools and two ints: the rulebook objects a step hands out
    // stay as small as before the recycle-pool check. Bit 0: the object sits in RecyclePool (a second return throws);
    // bit 1: the pair arrays are pooled; bit 2: it owns them (a transposed view shares them); bit 3: the builder
    // vouches that every tap's input rows increase; bit 4: a caller was handed it (Exposed); bits 8-31: ThreadCap.
    private int _state;

    private const int InPool = 1, PooledBit = 2, OwnsPairsBit = 4, InputsIncreaseBit = 8, ExposedBit = 16, CapShift = 8;

    private bool PairsPooled => (Volatile.Read(ref _state) & PooledBit) != 0;

    private bool OwnsPairs => (Volatile.Read(ref _state) & OwnsPairsBit) != 0;

    private bool VouchedIncreasing => (Volatile.Read(ref _state) & InputsIncreaseBit) != 0;

    /// <summary>Sets the bits of <paramref name="mask"/> to <paramref name="value"/>'s, atomically with the other bits.</summary>
    private void SetState(int mask, int value)
    {
        int old;
        do
            old = Volatile.Read(ref _state);
        while (Interlocked.CompareExchange(ref _state, (old & ~mask) | (value & mask), old) != old);
    }
    private int[]? _inputRows;
    private int[]? _outputRows;
    private int[] _tapStart;
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
        _pairCount = _tapStart[filterVolume];
        _inputRows = new int[_pairCount];
        _outputRows = new int[_pairCount];
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

    private RuleBook()
    {
        _tapStart = [];
    }

    /// <summary>
    /// Most threads its lazily built views (the neighbour table) may use: the backend's thread count of the batch
    /// that built it (0: no cap beyond the calling thread's <see cref="GeometryThreads"/>).
    /// </summary>
    internal int ThreadCap
    {
        get => Volatile.Read(ref _state) >>> CapShift;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            SetState(~0 << CapShift, Math.Min(value, 1 << 23) << CapShift);
        }
    }

    /// <summary>A rulebook over laid-out pairs: a recycled object (see <see cref="Release"/>) when one is free.</summary>
    private static RuleBook Make(int filterVolume, int inputRows, int outputRows, int[] tapStart, int[] ins, int[] outs, int[]? neighbours, bool pooled,
        bool ownsPairs = true, bool inputsIncrease = false)
    {
        RuleBook r = RecyclePool<RuleBook>.TryRent() ?? new RuleBook();
        (r.FilterVolume, r.InputRows, r.OutputRows, r._tapStart) = (filterVolume, inputRows, outputRows, tapStart);
        (r._pairCount, r._inputRows, r._outputRows, r._neighbours, r._transposed) = (tapStart[filterVolume], ins, outs, neighbours, null);
        // Out of the pool only once its storage is set: a stale return then sees either "in the pool" or "live", and
        // throws. Not exposed, no thread cap.
        Volatile.Write(ref r._state, (pooled ? PooledBit : 0) | (ownsPairs ? OwnsPairsBit : 0) | (inputsIncrease ? InputsIncreaseBit : 0));
        return r;
    }

    /// <summary>
    /// The rulebook whose output-major neighbour table is <paramref name="table"/> (entry
    /// <c>[row * filterVolume + tap]</c>: the input row feeding output <c>row</c> through <c>tap</c>, or -1;
    /// a tap's input rows must be distinct). Walking the table row by row emits every tap's pairs in increasing
    /// output order, so no sort is needed. The rulebook keeps the table as its <see cref="NeighbourTable"/>;
    /// with <paramref name="pooled"/>, the table came from the shared array pool and so do the pair lists.
    /// </summary>
    internal static RuleBook FromNeighbourTable(int filterVolume, int inputRows, int outputRows, int[] table, bool pooled)
    {
        int[] tapStart = RentTapStart(filterVolume, pooled);
        for (int row = 0, i = 0; row < outputRows; row++)
            for (int t = 1; t <= filterVolume; t++, i++)
                tapStart[t] += table[i] >= 0 ? 1 : 0;
        for (int t = 0; t < filterVolume; t++)
            tapStart[t + 1] += tapStart[t];
        int pairs = tapStart[filterVolume];
        int[] ins = pooled ? ArrayPool<int>.Shared.Rent(Math.Max(1, pairs)) : new int[pairs];
        int[] outs = pooled ? ArrayPool<int>.Shared.Rent(Math.Max(1, pairs)) : new int[pairs];
        Span<int> cursor = filterVolume <= 512 ? stackalloc int[filterVolume] : new int[filterVolume];
        tapStart.AsSpan(0, filterVolume).CopyTo(cursor);
        for (int row = 0, i = 0; row < outputRows; row++)
            for (int t = 0; t < filterVolume; t++, i++)
            {
                int input = table[i];
                if (input >= 0)
                {
                    int p = cursor[t]++;
                    ins[p] = input;
                    outs[p] = row;
                }
            }
        return Make(filterVolume, inputRows, outputRows, tapStart, ins, outs, table, pooled);
    }

    /// <summary>
    /// The rulebook of pairs already laid out tap by tap: tap t's pairs are entries [tapStart[t], tapStart[t + 1])
    /// of <paramref name="ins"/> and <paramref name="outs"/>, outputs strictly increasing, inputs distinct (the
    /// builder's invariant, not checked here). With <paramref name="pooled"/>, both came from the shared array pool.
    /// A builder that also walks each tap's inputs in order says so with <paramref name="inputsIncrease"/>, and the
    /// transposed view then shares the arrays without reading every pair to check. The neighbour table is built on
    /// first use.
    /// </summary>
    internal static RuleBook FromPairs(int filterVolume, int inputRows, int outputRows, int[] tapStart, int[] ins, int[] outs, bool pooled,
        bool inputsIncrease = false) =>
        Make(filterVolume, inputRows, outputRows, tapStart, ins, outs, neighbours: null, pooled, inputsIncrease: inputsIncrease);

    /// <summary>
    /// Zeroed storage for the <paramref name="filterVolume"/> + 1 tap offsets of a rulebook; from the shared array
    /// pool when <paramref name="pooled"/> (the rulebook gives it back with its pairs).
    /// </summary>
    internal static int[] RentTapStart(int filterVolume, bool pooled)
    {
        if (!pooled)
            return new int[filterVolume + 1];
        int[] tapStart = ArrayPool<int>.Shared.Rent(filterVolume + 1);
        tapStart.AsSpan(0, filterVolume + 1).Clear();
        return tapStart;
    }

    /// <summary>Number of filter offsets (taps).</summary>
    public int FilterVolume { get; private set; }

    /// <summary>Rows of the input feature matrix.</summary>
    public int InputRows { get; private set; }

    /// <summary>Rows of the output feature matrix.</summary>
    public int OutputRows { get; private set; }

    /// <summary>Total number of pairs over all taps (the multiply-adds of a convolution are PairCount x Cin x Cout).</summary>
    public int PairCount => _pairCount;

    /// <summary>Input rows of the pairs of tap <paramref name="tap"/>.</summary>
    public ReadOnlySpan<int> InputRowsOf(int tap) => (_inputRows ?? throw Released()).AsSpan(_tapStart[tap], _tapStart[tap + 1] - _tapStart[tap]);

    /// <summary>Output rows of the pairs of tap <paramref name="tap"/> (strictly increasing).</summary>
    public ReadOnlySpan<int> OutputRowsOf(int tap) => (_outputRows ?? throw Released()).AsSpan(_tapStart[tap], _tapStart[tap + 1] - _tapStart[tap]);

    /// <summary>The same pairs with input and output swapped (for backward to the input); built once, cached.</summary>
    internal RuleBook Transposed
    {
        get
        {
            RuleBook? t = Volatile.Read(ref _transposed);
            if (t is not null)
                return t;
            t = BuildTransposed();
            (t._transposed, t.ThreadCap) = (this, ThreadCap);
            RuleBook? raced = Interlocked.CompareExchange(ref _transposed, t, null);
            if (raced is null)
                return t;
            t.Release();
            return raced;
        }
    }

    /// <summary>
    /// Output-major view: entry <c>[row * FilterVolume + tap]</c> is the input row feeding output <c>row</c>
    /// through <c>tap</c>, or -1. Pooling walks it so each output sees its window in tap order. Built once:
    /// the table-based builders keep the table they laid the pairs out from, the others build it on first use.
    /// </summary>
    internal ReadOnlySpan<int> NeighbourTable
    {
        get
        {
            ObjectDisposedException.ThrowIf(_inputRows is null, this);
            int[]? table = Volatile.Read(ref _neighbours) ?? BuildNeighbourTable();
            return table.AsSpan(0, OutputRows * FilterVolume);
        }
    }

    /// <summary>The output-major table from the pairs, in pooled storage when the pairs are (released with them).</summary>
    private int[] BuildNeighbourTable()
    {
        int entries = checked(OutputRows * FilterVolume);
        int[] table = PairsPooled ? ArrayPool<int>.Shared.Rent(Math.Max(1, entries)) : new int[entries];
        // A builder that vouches for its pairs' order (outputs strictly increase in each tap) never fills a slot twice,
        // so its table is filled by ranges of output rows, on the worker pool when it is large (a first layer's 3x3
        // table is 3 MB written nine times over, once per tap).
        if (VouchedIncreasing)
            RangeJob<TableRanges>.Run(new(this, table, TableChunks), TableChunks, 1, entries, GeometryThreads.Capped(ThreadCap));
        else if (!FillNeighbourTable(table, byInputRow: false))
        {
            if (PairsPooled)
                ArrayPool<int>.Shared.Return(table);
            throw new InvalidOperationException($"{this} pairs one output row twice in one tap.");
        }
        int[]? raced = Interlocked.CompareExchange(ref _neighbours, table, null);
        if (raced is null)
            return table;
        if (PairsPooled)
            ArrayPool<int>.Shared.Return(table);
        return raced;
    }

    /// <summary>Short description, e.g. <c>RuleBook(9 taps, 1200 -> 1500 rows, 9400 pairs)</c>.</summary>
    public override string ToString() => $"RuleBook({FilterVolume} taps, {InputRows} -> {OutputRows} rows, {PairCount} pairs)";

    /// <summary>
    /// True once a caller may hold this rulebook (a public <see cref="Metadata"/> method handed it out), or the
    /// rulebook reachable through <see cref="Transposed"/> from one it holds: such a rulebook is never recycled.
    /// </summary>
    internal bool Exposed
    {
        get => (Volatile.Read(ref _state) & ExposedBit) != 0;
        set => SetState(ExposedBit, value ? ExposedBit : 0);
    }

    /// <summary>
    /// Gives pooled storage back (and the transposed view's); the rulebook throws on use afterwards. With
    /// <paramref name="recycle"/> (the metadata's rulebooks that no caller or foreign backend can hold), the
    /// objects themselves go back to the pool for later rulebooks too.
    /// </summary>
    internal void Release(bool recycle = false)
    {
        ReleaseHooks.Run(this);
        RuleBook? transposed = _transposed;
        _transposed = null;
        if (transposed is not null)
        {
            transposed._transposed = null;
            transposed.Release(recycle);
        }
        // Only the release that freed the storage recycles: a second Release must not hand the object out twice.
        if (!ReleaseStorage() || !recycle)
            return;
        if ((Interlocked.Or(ref _state, InPool) & InPool) != 0)
            throw new InvalidOperationException($"{this} was returned to the recycle pool twice.");
        Generation++;
        RecyclePool<RuleBook>.Return(this);
    }

    /// <summary>
    /// Runs <paramref name="action"/> once, when this rulebook's storage is released (its metadata is disposed): a
    /// device backend frees its copy then, instead of waiting for the garbage collector to reclaim the host object.
    /// </summary>
    internal void OnRelease(Action action) => ReleaseHooks.Add(this, action);

    /// <summary>
    /// How many times this object has been recycled. A holder that may outlive its batch's metadata (a backward
    /// node on another tape) notes it when it takes the rulebook and calls <see cref="ThrowIfRecycled"/> before use.
    /// </summary>
    internal int Generation { get; private set; }

    /// <summary>Throws <see cref="ObjectDisposedException"/> once the rulebook seen at <paramref name="generation"/> is gone.</summary>
    internal void ThrowIfRecycled(int generation)
    {
        if (generation != Generation || _inputRows is null)
            throw Released();
    }

    /// <summary>Gives the arrays back; false when they were already gone.</summary>
    private bool ReleaseStorage()
    {
        int[]? ins = _inputRows, outs = _outputRows, table = _neighbours;
        if (ins is null || outs is null)
            return false;
        _inputRows = _outputRows = _neighbours = null;
        if (!PairsPooled)
            return true;
        if (OwnsPairs)
        {
            // The tap offsets go too: every reader reaches them through the pair arrays, now null, and throws first.
            ArrayPool<int>.Shared.Return(ins);
            ArrayPool<int>.Shared.Return(outs);
            ArrayPool<int>.Shared.Return(_tapStart);
        }
        if (table is not null)
            ArrayPool<int>.Shared.Return(table);
        return true;
    }

    /// <summary>
    /// The transposed pairs. Valid and strided convolutions, pooling and submanifold rules map each tap's inputs to
    /// outputs in the same order, so their input rows increase too: the transposed view then shares this
    /// rulebook's arrays with the roles swapped (it is released with this one). Otherwise through a neighbour
    /// table over this rulebook's input rows (each tap's input rows are distinct, so every slot is written once):
    /// no sort. Falls back to sorting should the invariant not hold.
    /// </summary>
    private RuleBook BuildTransposed()
    {
        ObjectDisposedException.ThrowIf(_inputRows is null || _outputRows is null, this);
        if (VouchedIncreasing || InputsIncrease())
            return Make(FilterVolume, OutputRows, InputRows, _tapStart, _outputRows, _inputRows, neighbours: null, PairsPooled, ownsPairs: false);
        int entries = checked(InputRows * FilterVolume);
        int[] table = PairsPooled ? ArrayPool<int>.Shared.Rent(Math.Max(1, entries)) : new int[entries];
        if (FillNeighbourTable(table, byInputRow: true))
            return FromNeighbourTable(FilterVolume, OutputRows, InputRows, table, PairsPooled);
        if (PairsPooled)
            ArrayPool<int>.Shared.Return(table);
        int[][] ins = new int[FilterVolume][];
        int[][] outs = new int[FilterVolume][];
        for (int tap = 0; tap < FilterVolume; tap++)
        {
            ins[tap] = OutputRowsOf(tap).ToArray();
            outs[tap] = InputRowsOf(tap).ToArray();
        }
        return new RuleBook(FilterVolume, OutputRows, InputRows, ins, outs);
    }

    /// <summary>
    /// table[row * taps + tap] = the row's partner in tap, -1 elsewhere; rows are the output rows, or the input
    /// rows when <paramref name="byInputRow"/>. False when a row appears twice in one tap.
    /// </summary>
    private bool FillNeighbourTable(int[] table, bool byInputRow)
    {
        int taps = FilterVolume;
        table.AsSpan(0, (byInputRow ? InputRows : OutputRows) * taps).Fill(-1);
        for (int tap = 0; tap < taps; tap++)
        {
            ReadOnlySpan<int> keys = byInputRow ? InputRowsOf(tap) : OutputRowsOf(tap);
            ReadOnlySpan<int> values = byInputRow ? OutputRowsOf(tap) : InputRowsOf(tap);
            for (int p = 0; p < keys.Length; p++)
            {
                ref int slot = ref table[keys[p] * taps + tap];
                if (slot >= 0)
                    return false;
                slot = values[p];
            }
        }
        return true;
    }

    /// <summary>
    /// Ranges of output rows a vouched table is cut into: a few per core, whatever the thread count (the same table
    /// either way); RangeJob keeps small tables on the calling thread.
    /// </summary>
    private const int TableChunks = 8;

    /// <summary>
    /// Chunks [first, end) of the output rows of a vouched rulebook's table: each clears its rows and writes, tap by
    /// tap, the pairs whose outputs fall in them (found by binary search: each tap's outputs increase).
    /// </summary>
    private readonly struct TableRanges(RuleBook rules, int[] table, int chunks) : IRangeOperation
    {
        public void Invoke(int first, int end)
        {
            GeometryThreads.Observe();
            int taps = rules.FilterVolume;
            for (int c = first; c < end; c++)
            {
                int lo = (int)((long)rules.OutputRows * c / chunks), hi = (int)((long)rules.OutputRows * (c + 1) / chunks);
                table.AsSpan(lo * taps, (hi - lo) * taps).Fill(-1);
                for (int tap = 0; tap < taps; tap++)
                {
                    ReadOnlySpan<int> outs = rules.OutputRowsOf(tap), ins = rules.InputRowsOf(tap);
                    int p = SortedSearch.LowerBound(outs, lo), pEnd = SortedSearch.LowerBound(outs, hi);
                    for (; p < pEnd; p++)
                        table[(outs[p] * taps) + tap] = ins[p];
                }
            }
        }
    }

    /// <summary>True when every tap's input rows are strictly increasing (as its output rows are).</summary>
    private bool InputsIncrease()
    {
        for (int tap = 0; tap < FilterVolume; tap++)
            if (!IsStrictlyIncreasing(InputRowsOf(tap)))
                return false;
        return true;
    }

    private ObjectDisposedException Released() => new(nameof(RuleBook), $"{this} belongs to a batch whose metadata was disposed (its tape ended).");

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
