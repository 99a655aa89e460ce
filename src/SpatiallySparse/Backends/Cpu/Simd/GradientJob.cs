using System;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// Weight gradient. dW is cut into units of (6 input channels x one column panel), the same cut in every tap;
/// each worker owns a contiguous run of units in all taps, so each dW element has one owner. A worker walks
/// chunks of output rows in order and, inside a chunk, every tap, so each gradient row is fetched once for all
/// taps and each dW element still reduces its pairs in order: the bits never depend on the split.
/// </summary>
internal sealed unsafe class GradientJob<TKernel> : ParallelJob
    where TKernel : struct, IRuleKernel
{
    /// <summary>Target floats of one chunk's gradient rows: fits L2 with room for the inputs it reads.</summary>
    private const int ChunkFloats = 16 * 1024;

    /// <summary>Target floats of one chunk's im2col rows.</summary>
    private const int Im2ColFloats = 16 * 1024;

    [ThreadStatic]
    private static GradientJob<TKernel>? cached;

    private float* input;
    private float* gradOutput;
    private float* gradWeights;
    private int cin;
    private int cout;
    private int gradStride;
    private int chunkRows;
    private int kRows;
    private int kBlocks;
    private int units;
    private int items;
    private bool im2Col;
    private PairSource pairs;

    public static void Run(float* input, int cin, float* gradOutput, int cout, PairSource pairs, float* gradWeights, int threads)
    {
        // Taken out of the cache while running, so even a re-entrant call on this thread gets its own job.
        GradientJob<TKernel> job = cached ?? new GradientJob<TKernel>();
        cached = null;
        try
        {
            job.Prepare(input, cin, gradOutput, cout, pairs, gradWeights);

            // One contiguous run of units per worker: each worker then streams the gradient rows only once.
            job.items = WorkerCount(threads, job.units, pairs.PairCount * cin * cout);
            job.RunItems(job.items, job.items);
        }
        finally
        {
            job.input = job.gradOutput = job.gradWeights = null;
            job.pairs = default;
            cached = job;
        }
    }

    protected override void Execute(int item, int worker)
    {
        int firstUnit = (int)((long)units * item / items);
        int endUnit = (int)((long)units * (item + 1) / items);
        for (int first = 0; first < pairs.OutputRows; first += chunkRows)
        {
            int end = Math.Min(first + chunkRows, pairs.OutputRows);
            if (!TKernel.Relayout)
            {
                ChunkPerTap(gradOutput, first, end, firstUnit, endUnit);
                continue;
            }

            // Aligned copy of the chunk's gradient rows, shared by all taps (no split loads in the kernel).
            int rows = end - first;
            long packedFloats = (long)chunkRows * gradStride;
            float* packed = Scratch(worker, packedFloats + (im2Col ? (long)chunkRows * kRows : 0));
            RowPacking.CopyRows(gradOutput + ((long)first * cout), rows, cout, packed, gradStride);
            if (im2Col)
            {
                float* gathered = packed + packedFloats;
                RowPacking.GatherRows(pairs, input, cin, first, end, gathered);
                ReadOnlySpan<int> local = IdentityRows.Get(rows).AsSpan(0, rows);
                GradientUnits(gathered, packed, local, local, gradWeights, firstUnit, endUnit);
            }
            else
            {
                // Pairs index gradient rows absolutely: shift the copy so that row `first` lands at its start.
                ChunkPerTap(packed - ((long)first * gradStride), first, end, firstUnit, endUnit);
            }
        }
    }

    private void Prepare(float* input, int cin, float* gradOutput, int cout, PairSource pairs, float* gradWeights)
    {
        this.input = input;
        this.gradOutput = gradOutput;
        this.gradWeights = gradWeights;
        this.cin = cin;
        this.cout = cout;
        this.pairs = pairs;
        im2Col = RulePlan.UseIm2Col<TKernel>(pairs, cin);
        gradStride = TKernel.Relayout ? RowPacking.PaddedStride(cout) : cout;  // the scalar path reads in place
        chunkRows = Math.Clamp(ChunkFloats / gradStride, 24, 1024);
        kRows = im2Col ? pairs.Taps * cin : cin;
        if (im2Col)
        {
            chunkRows = Math.Clamp(Im2ColFloats / kRows, 24, chunkRows);
        }

        kBlocks = (kRows + RulePlan.KBlock - 1) / RulePlan.KBlock;
        units = kBlocks * ((cout + TKernel.PanelWidth - 1) / TKernel.PanelWidth);
    }

    /// <summary>The chunk tap by tap; <paramref name="gradRows"/> rows are <see cref="gradStride"/> apart.</summary>
    private void ChunkPerTap(float* gradRows, int first, int end, int firstUnit, int endUnit)
    {
        for (int t = 0; t < pairs.Taps; t++)
        {
            pairs.PairsWithin(t, first, end, out ReadOnlySpan<int> ins, out ReadOnlySpan<int> outs);
            if (!ins.IsEmpty)
            {
                GradientUnits(input, gradRows, ins, outs, gradWeights + (t * (long)cin * cout), firstUnit, endUnit);
            }
        }
    }

    /// <summary>
    /// Units are numbered panel-major, so a run of units is a few panels, each with a run of k-blocks that one
    /// kernel call covers (it then reuses the panel's gradient rows from L1 across those k-blocks).
    /// </summary>
    private void GradientUnits(
        float* rowsIn, float* gradRows, ReadOnlySpan<int> ins, ReadOnlySpan<int> outs, float* tapWeights,
        int firstUnit, int endUnit)
    {
        for (int u = firstUnit; u < endUnit;)
        {
            int firstBlock = u % kBlocks;
            int endBlock = Math.Min(kBlocks, firstBlock + (endUnit - u));
            int jBegin = u / kBlocks * TKernel.PanelWidth;
            TKernel.GradientTap(
                rowsIn, kRows, gradRows, gradStride, ins, outs, tapWeights, cout,
                firstBlock * RulePlan.KBlock, Math.Min(endBlock * RulePlan.KBlock, kRows),
                jBegin, Math.Min(jBegin + TKernel.PanelWidth, cout));
            u += endBlock - firstBlock;
        }
    }
}
