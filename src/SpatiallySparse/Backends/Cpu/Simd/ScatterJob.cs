using System;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// Scatter: one item per chunk of consecutive output rows. A chunk visits every tap in order, taking the
/// pairs whose output row falls inside it, so each output element accumulates taps in the same order
/// whatever the chunking, and the chunk's rows stay in cache across taps.
/// </summary>
internal sealed unsafe class ScatterJob<TKernel> : ParallelJob
    where TKernel : struct, IRuleKernel
{
    /// <summary>Target floats of one chunk's output rows: fits L2 with room for the inputs it reads.</summary>
    private const int ChunkFloats = 16 * 1024;

    /// <summary>Target floats of one chunk's im2col rows.</summary>
    private const int Im2ColFloats = 16 * 1024;

    /// <summary>Re-laying the weights pays off once each weight row is reused by this many pairs on average.</summary>
    private const int PackMinPairsPerWeightRow = 32;

    [ThreadStatic]
    private static ScatterJob<TKernel>? cached;

    private readonly AlignedBuffer packedWeights = new();
    private float* input;
    private float* weights;
    private float* output;
    private int cin;
    private int cout;
    private int weightStride;
    private int chunkRows;
    private bool im2Col;
    private PairSource pairs;
    private ScatterRows rows;

    /// <summary>
    /// The scatter; each chunk first starts and finally finishes its output rows as <paramref name="rows"/> says
    /// (every output row belongs to exactly one chunk).
    /// </summary>
    public static void Run(float* input, int cin, float* weights, float* output, int cout, PairSource pairs, int threads,
        ScatterRows rows = default)
    {
        // Taken out of the cache while running, so even a re-entrant call on this thread gets its own job.
        ScatterJob<TKernel> job = cached ?? new ScatterJob<TKernel>();
        cached = null;
        try
        {
            job.Prepare(input, cin, weights, output, cout, pairs);
            job.rows = rows;
            int chunks = (int)(((long)pairs.OutputRows + job.chunkRows - 1) / job.chunkRows);
            job.RunItems(chunks, WorkerCount(threads, chunks, pairs.PairCount * cin * cout));
        }
        finally
        {
            job.input = job.weights = job.output = null;
            job.pairs = default;
            job.rows = default;
            cached = job;
        }
    }

    protected override void Execute(int item, int worker)
    {
        int first = item * chunkRows;
        int end = Math.Min(first + chunkRows, pairs.OutputRows);
        rows.Start(output, cout, first, end);
        if (im2Col)
        {
            ExecuteIm2Col(first, end, worker);
        }
        else
        {
            ExecuteTaps(first, end);
        }

        rows.Finish(output, cout, first, end, TKernel.Level);
    }

    private void ExecuteTaps(int first, int end)
    {
        long tapSize = (long)cin * weightStride;
        for (int t = 0; t < pairs.Taps; t++)
        {
            pairs.PairsWithin(t, first, end, out ReadOnlySpan<int> ins, out ReadOnlySpan<int> outs);
            if (!ins.IsEmpty)
            {
                TKernel.ScatterTap(input, cin, weights + (t * tapSize), weightStride, output, cout, ins, outs);
            }
        }
    }

    private void Prepare(float* input, int cin, float* weights, float* output, int cout, PairSource pairs)
    {
        this.input = input;
        this.output = output;
        this.cin = cin;
        this.cout = cout;
        this.pairs = pairs;
        im2Col = RulePlan.UseIm2Col<TKernel>(pairs, cin);
        chunkRows = Math.Clamp(ChunkFloats / cout, 24, 1024);
        if (im2Col)
        {
            chunkRows = Math.Clamp(Im2ColFloats / (pairs.Taps * cin), 24, chunkRows);
        }

        // Aligned rows padded to whole lines: no split loads in the k loop, whatever the caller's alignment.
        long weightRows = (long)pairs.Taps * cin;
        if (TKernel.Relayout && (im2Col || pairs.PairCount >= PackMinPairsPerWeightRow * weightRows))
        {
            weightStride = RowPacking.PaddedStride(cout);
            this.weights = packedWeights.Ensure(weightRows * weightStride);
            RowPacking.CopyRows(weights, weightRows, cout, this.weights, weightStride);
        }
        else
        {
            weightStride = cout;
            this.weights = weights;
        }
    }

    /// <summary>The chunk as one dense product: its im2col rows times the stacked (taps*cin x cout) weights.</summary>
    private void ExecuteIm2Col(int first, int end, int worker)
    {
        int width = pairs.Taps * cin;
        int rows = end - first;
        float* gathered = Scratch(worker, (long)rows * width);
        RowPacking.GatherRows(pairs, input, cin, first, end, gathered);
        int[] identity = IdentityRows.Get(end);
        TKernel.ScatterTap(gathered, width, weights, weightStride, output, cout, identity.AsSpan(0, rows), identity.AsSpan(first, rows));
    }
}
