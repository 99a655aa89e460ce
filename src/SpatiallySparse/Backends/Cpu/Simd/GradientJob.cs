using System;
using System.Numerics;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// Weight gradient. The output rows are cut into a fixed number of segments, set by the problem size and never
/// by the thread count. Each segment (one work item) reduces its pairs, in order, into its own zeroed partial
/// dW; a second pass adds the partials to dW in segment order. So every dW element sees the same sums in the
/// same order for any number of threads, segments balance like the scatter's chunks, and each input and
/// gradient row is read by one worker only. Inside a segment, chunks of output rows visit every tap, so a
/// gradient row is fetched once for all taps. When partials would not pay (small work) or not fit (huge
/// filters), there is one segment and the workers split dW itself into disjoint runs of (6 input channels x
/// one column panel) units instead.
/// </summary>
internal sealed unsafe class GradientJob<TKernel> : ParallelJob
    where TKernel : struct, IRuleKernel
{
    /// <summary>Target floats of one chunk's gradient rows: fits L2 with room for the inputs it reads.</summary>
    private const int ChunkFloats = 16 * 1024;

    /// <summary>Target floats of one chunk's im2col rows.</summary>
    private const int Im2ColFloats = 16 * 1024;

    /// <summary>Multiply-adds per segment to aim for: the extra zeroing and summing of a partial stays small.</summary>
    private const long SegmentWork = 8L << 20;

    /// <summary>Multiply-adds that copying or gathering one float costs about as much time as (memory-bound vs 32 per cycle).</summary>
    private const long RowCopyCost = 32;

    /// <summary>Most segments: plenty of items to balance the workers of a typical machine.</summary>
    private const int MaxSegments = 16;

    /// <summary>Most floats of partial sums per call (16 MiB); big filters get fewer segments.</summary>
    private const long PartialBudget = 4L << 20;

    /// <summary>Floats of dW per item of the final summing pass.</summary>
    private const int SumBlock = 16 * 1024;

    [ThreadStatic]
    private static GradientJob<TKernel>? cached;

    private readonly AlignedBuffer partialBuffer = new();
    private float* input;
    private float* gradOutput;
    private float* gradWeights;
    private float* partials;
    private long weightFloats;
    private int cin;
    private int cout;
    private int gradStride;
    private int chunkRows;
    private int chunks;
    private int segments;
    private int kRows;
    private int kBlocks;
    private int units;
    private int unitRuns;
    private bool im2Col;
    private Phase phase;
    private PairSource pairs;

    private enum Phase
    {
        UnitRuns,
        Segments,
        Sum,
    }

    public static void Run(float* input, int cin, float* gradOutput, int cout, PairSource pairs, float* gradWeights, int threads)
    {
        // Taken out of the cache while running, so even a re-entrant call on this thread gets its own job.
        GradientJob<TKernel> job = cached ?? new GradientJob<TKernel>();
        cached = null;
        try
        {
            job.Prepare(input, cin, gradOutput, cout, pairs, gradWeights);
            job.Execute(threads, pairs.PairCount * cin * cout);
        }
        finally
        {
            job.input = job.gradOutput = job.gradWeights = job.partials = null;
            job.pairs = default;
            cached = job;
        }
    }

    protected override void Execute(int item, int worker)
    {
        switch (phase)
        {
            case Phase.UnitRuns:
                int firstUnit = (int)((long)units * item / unitRuns);
                int endUnit = (int)((long)units * (item + 1) / unitRuns);
                Chunks(0, chunks, worker, gradWeights, firstUnit, endUnit);
                break;
            case Phase.Segments:
                float* partial = partials + (item * weightFloats);
                new Span<float>(partial, (int)weightFloats).Clear();
                Chunks(chunks * item / segments, chunks * (item + 1) / segments, worker, partial, 0, units);
                break;
            default:
                SumPartials(item * (long)SumBlock, Math.Min((item + 1) * (long)SumBlock, weightFloats));
                break;
        }
    }

    private void Execute(int threads, long work)
    {
        if (segments == 1)
        {
            phase = Phase.UnitRuns;
            unitRuns = WorkerCount(threads, units, work);
            RunItems(unitRuns, unitRuns);
            return;
        }

        partials = partialBuffer.Ensure(segments * weightFloats);
        phase = Phase.Segments;
        RunItems(segments, WorkerCount(threads, segments, work));
        phase = Phase.Sum;
        int blocks = (int)((weightFloats + SumBlock - 1) / SumBlock);
        RunItems(blocks, WorkerCount(threads, blocks, segments * weightFloats));
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

        chunks = (int)(((long)pairs.OutputRows + chunkRows - 1) / chunkRows);
        kBlocks = (kRows + RulePlan.KBlock - 1) / RulePlan.KBlock;
        units = kBlocks * ((cout + TKernel.PanelWidth - 1) / TKernel.PanelWidth);
        weightFloats = (long)pairs.Taps * cin * cout;
        // Work counts the multiply-adds plus the rows each chunk copies (and, im2col, gathers) first, which
        // dominate when cin is small: the first layer of a network has one or a few input channels. A single
        // segment makes every unit run repeat those copies, so such layers need segments to share them out.
        long rowWork = (long)pairs.OutputRows * (cout + (im2Col ? kRows : 0)) * RowCopyCost;
        long work = (pairs.PairCount * cin * cout) + rowWork;
        long bySize = work / SegmentWork;
        long byMemory = PartialBudget / weightFloats;
        // Each partial is cleared and summed once: keep that traffic under an eighth of the work. Deep layers
        // (large dW, few sites: 300 x 360 x 4 taps for a few hundred pairs) otherwise spend more time on
        // partials than on products; one segment still splits dW itself across the workers.
        long byTraffic = work / (8 * 2 * weightFloats * RowCopyCost);
        segments = (int)Math.Max(1, Math.Min(Math.Min(Math.Min(bySize, byMemory), byTraffic), Math.Min(MaxSegments, chunks)));
    }

    /// <summary>Chunks [firstChunk, endChunk) in order, for the dW units [firstUnit, endUnit) of <paramref name="dw"/>.</summary>
    private void Chunks(int firstChunk, int endChunk, int worker, float* dw, int firstUnit, int endUnit)
    {
        for (int c = firstChunk; c < endChunk; c++)
        {
            int first = c * chunkRows;
            int end = Math.Min(first + chunkRows, pairs.OutputRows);
            if (!TKernel.Relayout)
            {
                ChunkPerTap(gradOutput, first, end, dw, firstUnit, endUnit);
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
                GradientUnits(gathered, packed, local, local, dw, firstUnit, endUnit);
            }
            else
            {
                // Pairs index gradient rows absolutely: shift the copy so that row `first` lands at its start.
                ChunkPerTap(packed - ((long)first * gradStride), first, end, dw, firstUnit, endUnit);
            }
        }
    }

    /// <summary>The chunk tap by tap; <paramref name="gradRows"/> rows are <see cref="gradStride"/> apart.</summary>
    private void ChunkPerTap(float* gradRows, int first, int end, float* dw, int firstUnit, int endUnit)
    {
        for (int t = 0; t < pairs.Taps; t++)
        {
            pairs.PairsWithin(t, first, end, out ReadOnlySpan<int> ins, out ReadOnlySpan<int> outs);
            if (!ins.IsEmpty)
            {
                GradientUnits(input, gradRows, ins, outs, dw + (t * (long)cin * cout), firstUnit, endUnit);
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

    /// <summary>dW[i] += ((P0[i] + P1[i]) + ...) for i in [begin, end): lane-wise, so the same bits as scalar.</summary>
    private void SumPartials(long begin, long end)
    {
        long i = begin;
        for (; i + Vector<float>.Count <= end; i += Vector<float>.Count)
        {
            Vector<float> sum = Vector.Load(partials + i);
            for (int s = 1; s < segments; s++)
            {
                sum += Vector.Load(partials + (s * weightFloats) + i);
            }

            Vector.Store(Vector.Load(gradWeights + i) + sum, gradWeights + i);
        }

        for (; i < end; i++)
        {
            float sum = partials[i];
            for (int s = 1; s < segments; s++)
            {
                sum += partials[(s * weightFloats) + i];
            }

            gradWeights[i] += sum;
        }
    }
}
