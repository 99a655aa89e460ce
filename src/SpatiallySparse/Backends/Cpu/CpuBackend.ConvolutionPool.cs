using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using SpatiallySparse.Backends.Cpu.Simd;

namespace SpatiallySparse.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>
    /// Parts the backward splits the samples into, each with its own weight-gradient sum: a fixed count, added up in
    /// order, so the result does not depend on the thread count.
    /// </summary>
    private const int ConvolutionPoolParts = 16;

    /// <inheritdoc/>
    /// <remarks>
    /// Keeps, for backward, each pooled row's gathered window inputs (<see cref="ConvolutionPoolRows.GatherWindow"/>:
    /// 36 floats per row for a 3x3 convolution of one channel under 2x2 pooling, a third of the convolution's
    /// output), so backward reads them in order instead of looking every tap up again.
    /// </remarks>
    unsafe FeatureMatrix? IFusedConvolutionPoolingBackend.ConvolutionPoolForward(FeatureMatrix input, FeatureMatrix weights, FeatureMatrix start, FeatureMatrix convolutionGround,
        in ConvolutionPoolShape shape, FeatureMatrix output, bool keepForBackward)
    {
        FusedConvolutionPool.CheckForward(input, weights, start, convolutionGround, shape, output);
        if (!Fused(shape, input.Columns))
            return FusedConvolutionPool.ComposeForward(this, input, weights, start, convolutionGround, shape, output, keepForBackward);
        FeatureMatrix? saved = keepForBackward ? AllocateForOverwrite(output.Rows, SavedColumns(shape, input.Columns)) : null;
        fixed (float* x = Host(input), w = Host(weights), s = Host(start), g = Host(convolutionGround), y = Host(output))
        fixed (float* kept = saved is null ? [] : Host(saved))
        fixed (int* convTable = shape.ConvolutionRules.NeighbourTable, poolTable = shape.PoolRules.NeighbourTable, offsets = shape.PoolGrid.SampleOffsets)
        {
            ConvolutionPoolOperands p = Operands(x, input.Columns, w, s, g, convTable, poolTable, offsets, shape, output.Columns);
            RangeJob<ConvolutionPoolForwardOperation>.Run(new(p, y, saved is null ? null : kept, Simd), shape.PoolGrid.BatchSize,
                SamplesPerChunk(shape.PoolGrid, output.Columns), FusedWork(shape, input.Columns, output.Columns), Threads);
        }
        return saved;
    }

    /// <inheritdoc/>
    unsafe void IFusedConvolutionPoolingBackend.ConvolutionPoolBackward(FeatureMatrix input, FeatureMatrix saved, FeatureMatrix weights, FeatureMatrix start,
        FeatureMatrix convolutionGround, in ConvolutionPoolShape shape, FeatureMatrix output, FeatureMatrix gradOutput, FeatureMatrix gradWeights,
        FeatureMatrix gradStart, FeatureMatrix gradConvolutionGround)
    {
        FusedConvolutionPool.CheckBackward(input, weights, start, convolutionGround, shape, output, gradOutput, gradWeights, gradStart,
            gradConvolutionGround);
        if (!Fused(shape, input.Columns))
        {
            FusedConvolutionPool.ComposeBackward(this, input, saved, weights, start, convolutionGround, shape, output, gradOutput, gradWeights,
                gradStart, gradConvolutionGround);
            return;
        }
        if (saved.Rows != output.Rows || saved.Columns != SavedColumns(shape, input.Columns))
            throw new ArgumentException($"Convolution + pooling backward: the kept windows are {saved.Rows} x {saved.Columns}, expected {output.Rows} x {SavedColumns(shape, input.Columns)}.");
        int batch = shape.PoolGrid.BatchSize, parts = Math.Min(ConvolutionPoolParts, batch), size = (int)weights.Length;
        if (parts == 0)
            return;
        float[] partial = ArrayPool<float>.Shared.Rent(parts * size);
        try
        {
            partial.AsSpan(0, parts * size).Clear();
            fixed (float* x = Host(input), w = Host(weights), s = Host(start), g = Host(convolutionGround), y = Host(output), dy = Host(gradOutput))
            fixed (float* kept = Host(saved), ds = Host(gradStart), dg = Host(gradConvolutionGround), dw = partial)
            fixed (int* convTable = shape.ConvolutionRules.NeighbourTable, poolTable = shape.PoolRules.NeighbourTable, offsets = shape.PoolGrid.SampleOffsets)
            {
                ConvolutionPoolOperands p = Operands(x, input.Columns, w, s, g, convTable, poolTable, offsets, shape, output.Columns);
                RangeJob<ConvolutionPoolBackwardOperation>.Run(new(p, kept, y, dy, ds, dg, dw, size, batch, parts, Simd), parts, 1,
                    FusedWork(shape, input.Columns, output.Columns), Threads);
            }
            Span<float> total = Host(gradWeights);
            for (int part = 0; part < parts; part++)
                TensorPrimitives.Add(total, partial.AsSpan(part * size, size), total);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partial);
        }
    }

    /// <summary>Floats kept per pooled row: its gathered window.</summary>
    private static int SavedColumns(in ConvolutionPoolShape shape, int cin) =>
        (int)ConvolutionPoolRows.GatheredLength(shape.PoolRules.FilterVolume, shape.ConvolutionRules.FilterVolume, cin);

    /// <summary>Whether the fused kernel takes these shapes (its per-row buffer lives on the stack); else the unfused ops run.</summary>
    private static bool Fused(in ConvolutionPoolShape shape, int cin) =>
        ConvolutionPoolRows.Supports(shape.PoolRules.FilterVolume, shape.ConvolutionRules.FilterVolume, cin);

    private static unsafe ConvolutionPoolOperands Operands(float* x, int cin, float* w, float* start, float* ground, int* convTable, int* poolTable,
        int* offsets, in ConvolutionPoolShape shape, int cout) =>
        new(x, cin, w, cout, start, ground, convTable, shape.ConvolutionRules.FilterVolume, poolTable, shape.PoolRules.FilterVolume, offsets,
            shape.IncludeGround, shape.LeakySlope);

    /// <summary>Multiply-adds of one pass: every window element's convolution row, all taps.</summary>
    private static long FusedWork(in ConvolutionPoolShape shape, int cin, int cout) =>
        (long)shape.PoolRules.PairCount * shape.ConvolutionRules.FilterVolume * cin * cout;

    /// <summary>
    /// Samples [first, end): each writes only its own pooled rows and, when <paramref name="kept"/> is not null,
    /// their gathered windows there (a row of <see cref="SavedColumns"/> floats per pooled row).
    /// </summary>
    private readonly unsafe struct ConvolutionPoolForwardOperation(ConvolutionPoolOperands p, float* y, float* kept, SimdLevel simd) : IRangeOperation
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int first, int end)
        {
            float* buffer = stackalloc float[ConvolutionPoolRows.MaxGathered];
            int* noInputs = stackalloc int[p.Taps];
            ConvolutionPoolRows.Prepare(p, buffer, noInputs);
            long row = ConvolutionPoolRows.GatheredLength(p.Window, p.Taps, p.Cin);
            for (int b = first; b < end; b++)
            {
                for (int q = p.PoolOffsets[b]; q < p.PoolOffsets[b + 1]; q++)
                {
                    float* xs = buffer;
                    if (kept is not null)
                    {
                        xs = kept + (q * row);
                        ConvolutionPoolRows.ClearPadding(p, xs);
                    }
                    int active = ConvolutionPoolRows.GatherWindow(p, q, xs, noInputs), j = 0;
                    if (simd == SimdLevel.Vector512)
                        j = ConvolutionPoolRows.Forward<Lanes512, Vector512<float>>(p, q, b, active, xs, y, j);
                    if (simd >= SimdLevel.Vector256)
                        j = ConvolutionPoolRows.Forward<Lanes256, Vector256<float>>(p, q, b, active, xs, y, j);
                    ConvolutionPoolRows.Forward<Lanes1, float>(p, q, b, active, xs, y, j);
                }
            }
        }
    }

    /// <summary>
    /// Parts [first, end) of the samples: each reads its rows' kept windows and writes its samples' start and
    /// ground gradients and its own weight-gradient sum (<paramref name="size"/> floats per part from <paramref name="dw"/>).
    /// </summary>
    private readonly unsafe struct ConvolutionPoolBackwardOperation(ConvolutionPoolOperands p, float* kept, float* y, float* dy, float* ds, float* dg,
        float* dw, int size, int batch, int parts, SimdLevel simd) : IRangeOperation
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int first, int end)
        {
            long row = ConvolutionPoolRows.GatheredLength(p.Window, p.Taps, p.Cin);
            for (int part = first; part < end; part++)
            {
                float* sum = dw + ((long)part * size);
                for (int b = (int)((long)batch * part / parts), bEnd = (int)((long)batch * (part + 1) / parts); b < bEnd; b++)
                {
                    for (int q = p.PoolOffsets[b]; q < p.PoolOffsets[b + 1]; q++)
                    {
                        float* xs = kept + (q * row);
                        int active = ConvolutionPoolRows.ActiveElements(p, q), j = 0;
                        if (simd == SimdLevel.Vector512)
                            j = ConvolutionPoolRows.Backward<Lanes512, Vector512<float>>(p, q, b, active, xs, y, dy, ds, dg, sum, j);
                        if (simd >= SimdLevel.Vector256)
                            j = ConvolutionPoolRows.Backward<Lanes256, Vector256<float>>(p, q, b, active, xs, y, dy, ds, dg, sum, j);
                        ConvolutionPoolRows.Backward<Lanes1, float>(p, q, b, active, xs, y, dy, ds, dg, sum, j);
                    }
                }
            }
        }
    }
}
