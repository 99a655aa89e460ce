using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// AVX-512 register-blocked kernels. Scatter: 6 pairs x 64 columns of accumulators (24 zmm) per micro-kernel,
/// one broadcast input element times 4 weight vectors per k. Gradient: 6 input channels x 64 columns, one
/// gradient row times 6 broadcast inputs per pair. Column tails use a masked last vector.
/// Kernel methods are AggressiveOptimization: fully optimised from the first call, where tier-0 code would run
/// the first calls' hot loops several times slower.
/// </summary>
internal readonly unsafe struct Vector512Kernel : IRuleKernel
{
    private const int Lanes = 16;
    private const int Width = 4 * Lanes;
    private const int RowBlock = 6;

    /// <summary>Pairs per gradient pass: their panel rows (4 KiB per 16 pairs at 64 columns) stay in L1.</summary>
    private const int PairBatch = 64;

    public static int PanelWidth => Width;

    public static bool Relayout => true;

    public static SimdLevel Level => SimdLevel.Vector512;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterTap(
        float* input, int cin, float* weights, int weightStride, float* output, int cout,
        ReadOnlySpan<int> inRows, ReadOnlySpan<int> outRows)
    {
        Debug.Assert(inRows.Length == outRows.Length);
        int full = cout - (cout % Width);
        for (int j = 0; j < full; j += Width)
        {
            ScatterPanel<Full4>(input, cin, weights + j, weightStride, output + j, cout, inRows, outRows, default);
        }

        int rest = cout - full;
        if (rest == 0)
        {
            return;
        }

        Vector512<float> mask = TailMask(rest);
        float* w = weights + full;
        float* o = output + full;
        switch ((rest + Lanes - 1) / Lanes)
        {
            case 1: ScatterPanel<Tail1>(input, cin, w, weightStride, o, cout, inRows, outRows, mask); break;
            case 2: ScatterPanel<Tail2>(input, cin, w, weightStride, o, cout, inRows, outRows, mask); break;
            case 3: ScatterPanel<Tail3>(input, cin, w, weightStride, o, cout, inRows, outRows, mask); break;
            default: ScatterPanel<Tail4>(input, cin, w, weightStride, o, cout, inRows, outRows, mask); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GradientTap(
        float* input, int cin, float* gradOutput, int gradStride, ReadOnlySpan<int> inRows, ReadOnlySpan<int> outRows,
        float* gradWeights, int cout, int kBegin, int kEnd, int jBegin, int jEnd)
    {
        Debug.Assert(inRows.Length == outRows.Length && jBegin % Width == 0);
        int full = jBegin;
        for (; full + Width <= jEnd; full += Width)
        {
            GradientPanel<Full4>(input, cin, gradOutput + full, gradStride, inRows, outRows, gradWeights + full, cout, kBegin, kEnd, default);
        }

        int rest = jEnd - full;
        if (rest == 0)
        {
            return;
        }

        Vector512<float> mask = TailMask(rest);
        float* g = gradOutput + full;
        float* d = gradWeights + full;
        switch ((rest + Lanes - 1) / Lanes)
        {
            case 1: GradientPanel<Tail1>(input, cin, g, gradStride, inRows, outRows, d, cout, kBegin, kEnd, mask); break;
            case 2: GradientPanel<Tail2>(input, cin, g, gradStride, inRows, outRows, d, cout, kBegin, kEnd, mask); break;
            case 3: GradientPanel<Tail3>(input, cin, g, gradStride, inRows, outRows, d, cout, kBegin, kEnd, mask); break;
            default: GradientPanel<Tail4>(input, cin, g, gradStride, inRows, outRows, d, cout, kBegin, kEnd, mask); break;
        }
    }

    /// <summary>Lane mask for the last vector of a tail of <paramref name="rest"/> columns.</summary>
    private static Vector512<float> TailMask(int rest)
    {
        int lanes = rest % Lanes == 0 ? Lanes : rest % Lanes;
        return Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(lanes)).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScatterPanel<TCols>(
        float* input, nint cin, float* weights, nint weightStride, float* output, nint cout,
        ReadOnlySpan<int> inRows, ReadOnlySpan<int> outRows, Vector512<float> mask)
        where TCols : struct, IColumns
    {
        int count = inRows.Length;
        ref int ins = ref MemoryMarshal.GetReference(inRows);
        ref int outs = ref MemoryMarshal.GetReference(outRows);
        int p = 0;
        for (; p + RowBlock <= count; p += RowBlock)
        {
            Scatter6<TCols>(input, cin, ref Unsafe.Add(ref ins, p), weights, weightStride, output, cout, ref Unsafe.Add(ref outs, p), mask);
        }

        if (p < count)
        {
            ScatterRemainder<TCols>(input, cin, weights, weightStride, output, cout, inRows[p..], outRows[p..], mask);
        }
    }

    /// <summary>
    /// Fewer than 6 pairs left: pad the block by repeating the last pair. The repeat loads the same old output
    /// before any store and so stores identical values, which keeps one full-speed kernel and exact results.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ScatterRemainder<TCols>(
        float* input, nint cin, float* weights, nint weightStride, float* output, nint cout,
        ReadOnlySpan<int> inRows, ReadOnlySpan<int> outRows, Vector512<float> mask)
        where TCols : struct, IColumns
    {
        int* pad = stackalloc int[2 * RowBlock];
        for (int r = 0; r < RowBlock; r++)
        {
            int q = Math.Min(r, inRows.Length - 1);
            pad[r] = inRows[q];
            pad[RowBlock + r] = outRows[q];
        }

        Scatter6<TCols>(input, cin, ref pad[0], weights, weightStride, output, cout, ref pad[RowBlock], mask);
    }

    /// <summary>
    /// The micro-kernel: 6 pairs x one panel, all of k. The JIT declines to inline it (too many locals), so it is
    /// also AggressiveOptimization: otherwise its first calls would run as unoptimised tier-0 code.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Scatter6<TCols>(
        float* input, nint cin, ref int ins, float* weights, nint weightStride, float* output, nint cout, ref int outs, Vector512<float> mask)
        where TCols : struct, IColumns
    {
        float* a0 = input + (Unsafe.Add(ref ins, 0) * cin);
        float* a1 = input + (Unsafe.Add(ref ins, 1) * cin);
        float* a2 = input + (Unsafe.Add(ref ins, 2) * cin);
        float* a3 = input + (Unsafe.Add(ref ins, 3) * cin);
        float* a4 = input + (Unsafe.Add(ref ins, 4) * cin);
        float* a5 = input + (Unsafe.Add(ref ins, 5) * cin);
        float* o0 = output + (Unsafe.Add(ref outs, 0) * cout);
        float* o1 = output + (Unsafe.Add(ref outs, 1) * cout);
        float* o2 = output + (Unsafe.Add(ref outs, 2) * cout);
        float* o3 = output + (Unsafe.Add(ref outs, 3) * cout);
        float* o4 = output + (Unsafe.Add(ref outs, 4) * cout);
        float* o5 = output + (Unsafe.Add(ref outs, 5) * cout);

        Vector512<float> c00 = Load<TCols>(o0, 0, mask), c01 = Load<TCols>(o0, 1, mask), c02 = Load<TCols>(o0, 2, mask), c03 = Load<TCols>(o0, 3, mask);
        Vector512<float> c10 = Load<TCols>(o1, 0, mask), c11 = Load<TCols>(o1, 1, mask), c12 = Load<TCols>(o1, 2, mask), c13 = Load<TCols>(o1, 3, mask);
        Vector512<float> c20 = Load<TCols>(o2, 0, mask), c21 = Load<TCols>(o2, 1, mask), c22 = Load<TCols>(o2, 2, mask), c23 = Load<TCols>(o2, 3, mask);
        Vector512<float> c30 = Load<TCols>(o3, 0, mask), c31 = Load<TCols>(o3, 1, mask), c32 = Load<TCols>(o3, 2, mask), c33 = Load<TCols>(o3, 3, mask);
        Vector512<float> c40 = Load<TCols>(o4, 0, mask), c41 = Load<TCols>(o4, 1, mask), c42 = Load<TCols>(o4, 2, mask), c43 = Load<TCols>(o4, 3, mask);
        Vector512<float> c50 = Load<TCols>(o5, 0, mask), c51 = Load<TCols>(o5, 1, mask), c52 = Load<TCols>(o5, 2, mask), c53 = Load<TCols>(o5, 3, mask);

        float* w = weights;
        for (nint k = 0; k < cin; k++, w += weightStride)
        {
            Vector512<float> w0 = Load<TCols>(w, 0, mask), w1 = Load<TCols>(w, 1, mask), w2 = Load<TCols>(w, 2, mask), w3 = Load<TCols>(w, 3, mask);
            Vector512<float> b = Vector512.Create(a0[k]);
            c00 = Fma(b, w0, c00); if (TCols.Vectors > 1) { c01 = Fma(b, w1, c01); } if (TCols.Vectors > 2) { c02 = Fma(b, w2, c02); } if (TCols.Vectors > 3) { c03 = Fma(b, w3, c03); }
            b = Vector512.Create(a1[k]);
            c10 = Fma(b, w0, c10); if (TCols.Vectors > 1) { c11 = Fma(b, w1, c11); } if (TCols.Vectors > 2) { c12 = Fma(b, w2, c12); } if (TCols.Vectors > 3) { c13 = Fma(b, w3, c13); }
            b = Vector512.Create(a2[k]);
            c20 = Fma(b, w0, c20); if (TCols.Vectors > 1) { c21 = Fma(b, w1, c21); } if (TCols.Vectors > 2) { c22 = Fma(b, w2, c22); } if (TCols.Vectors > 3) { c23 = Fma(b, w3, c23); }
            b = Vector512.Create(a3[k]);
            c30 = Fma(b, w0, c30); if (TCols.Vectors > 1) { c31 = Fma(b, w1, c31); } if (TCols.Vectors > 2) { c32 = Fma(b, w2, c32); } if (TCols.Vectors > 3) { c33 = Fma(b, w3, c33); }
            b = Vector512.Create(a4[k]);
            c40 = Fma(b, w0, c40); if (TCols.Vectors > 1) { c41 = Fma(b, w1, c41); } if (TCols.Vectors > 2) { c42 = Fma(b, w2, c42); } if (TCols.Vectors > 3) { c43 = Fma(b, w3, c43); }
            b = Vector512.Create(a5[k]);
            c50 = Fma(b, w0, c50); if (TCols.Vectors > 1) { c51 = Fma(b, w1, c51); } if (TCols.Vectors > 2) { c52 = Fma(b, w2, c52); } if (TCols.Vectors > 3) { c53 = Fma(b, w3, c53); }
        }

        Store<TCols>(o0, 0, c00, mask); Store<TCols>(o0, 1, c01, mask); Store<TCols>(o0, 2, c02, mask); Store<TCols>(o0, 3, c03, mask);
        Store<TCols>(o1, 0, c10, mask); Store<TCols>(o1, 1, c11, mask); Store<TCols>(o1, 2, c12, mask); Store<TCols>(o1, 3, c13, mask);
        Store<TCols>(o2, 0, c20, mask); Store<TCols>(o2, 1, c21, mask); Store<TCols>(o2, 2, c22, mask); Store<TCols>(o2, 3, c23, mask);
        Store<TCols>(o3, 0, c30, mask); Store<TCols>(o3, 1, c31, mask); Store<TCols>(o3, 2, c32, mask); Store<TCols>(o3, 3, c33, mask);
        Store<TCols>(o4, 0, c40, mask); Store<TCols>(o4, 1, c41, mask); Store<TCols>(o4, 2, c42, mask); Store<TCols>(o4, 3, c43, mask);
        Store<TCols>(o5, 0, c50, mask); Store<TCols>(o5, 1, c51, mask); Store<TCols>(o5, 2, c52, mask); Store<TCols>(o5, 3, c53, mask);
    }

    /// <summary>
    /// Pairs go in batches small enough that their gradient rows and input lines stay in L1 while every k-block
    /// of the panel passes over them; the accumulators are stored between batches, which is exact.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientPanel<TCols>(
        float* input, nint cin, float* gradOutput, nint gradStride, ReadOnlySpan<int> inRows, ReadOnlySpan<int> outRows,
        float* gradWeights, nint cout, int kBegin, int kEnd, Vector512<float> mask)
        where TCols : struct, IColumns
    {
        for (int p = 0; p < inRows.Length; p += PairBatch)
        {
            int count = Math.Min(PairBatch, inRows.Length - p);
            ref int ins = ref Unsafe.Add(ref MemoryMarshal.GetReference(inRows), p);
            ref int outs = ref Unsafe.Add(ref MemoryMarshal.GetReference(outRows), p);
            int k = kBegin;
            for (; k + RowBlock <= kEnd; k += RowBlock)
            {
                Gradient<Rows6, TCols>(input, cin, k, gradOutput, gradStride, ref ins, ref outs, count, gradWeights, cout, mask);
            }

            switch (kEnd - k)
            {
                case 0: break;
                case 1: Gradient<Rows1, TCols>(input, cin, k, gradOutput, gradStride, ref ins, ref outs, count, gradWeights, cout, mask); break;
                case 2: Gradient<Rows2, TCols>(input, cin, k, gradOutput, gradStride, ref ins, ref outs, count, gradWeights, cout, mask); break;
                case 3: Gradient<Rows3, TCols>(input, cin, k, gradOutput, gradStride, ref ins, ref outs, count, gradWeights, cout, mask); break;
                case 4: Gradient<Rows4, TCols>(input, cin, k, gradOutput, gradStride, ref ins, ref outs, count, gradWeights, cout, mask); break;
                default: Gradient<Rows5, TCols>(input, cin, k, gradOutput, gradStride, ref ins, ref outs, count, gradWeights, cout, mask); break;
            }
        }
    }

    /// <summary>Rows k..k+TRows of the gradient panel, reduced over all pairs in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gradient<TRows, TCols>(
        float* input, nint cin, nint k, float* gradOutput, nint gradStride, ref int ins, ref int outs, nint count,
        float* gradWeights, nint cout, Vector512<float> mask)
        where TRows : struct, IRows
        where TCols : struct, IColumns
    {
        float* d0 = gradWeights + (k * cout);
        float* d1 = d0 + cout;
        float* d2 = d1 + cout;
        float* d3 = d2 + cout;
        float* d4 = d3 + cout;
        float* d5 = d4 + cout;

        Vector512<float> c00 = Load<TRows, TCols>(d0, 0, 0, mask), c01 = Load<TRows, TCols>(d0, 0, 1, mask), c02 = Load<TRows, TCols>(d0, 0, 2, mask), c03 = Load<TRows, TCols>(d0, 0, 3, mask);
        Vector512<float> c10 = Load<TRows, TCols>(d1, 1, 0, mask), c11 = Load<TRows, TCols>(d1, 1, 1, mask), c12 = Load<TRows, TCols>(d1, 1, 2, mask), c13 = Load<TRows, TCols>(d1, 1, 3, mask);
        Vector512<float> c20 = Load<TRows, TCols>(d2, 2, 0, mask), c21 = Load<TRows, TCols>(d2, 2, 1, mask), c22 = Load<TRows, TCols>(d2, 2, 2, mask), c23 = Load<TRows, TCols>(d2, 2, 3, mask);
        Vector512<float> c30 = Load<TRows, TCols>(d3, 3, 0, mask), c31 = Load<TRows, TCols>(d3, 3, 1, mask), c32 = Load<TRows, TCols>(d3, 3, 2, mask), c33 = Load<TRows, TCols>(d3, 3, 3, mask);
        Vector512<float> c40 = Load<TRows, TCols>(d4, 4, 0, mask), c41 = Load<TRows, TCols>(d4, 4, 1, mask), c42 = Load<TRows, TCols>(d4, 4, 2, mask), c43 = Load<TRows, TCols>(d4, 4, 3, mask);
        Vector512<float> c50 = Load<TRows, TCols>(d5, 5, 0, mask), c51 = Load<TRows, TCols>(d5, 5, 1, mask), c52 = Load<TRows, TCols>(d5, 5, 2, mask), c53 = Load<TRows, TCols>(d5, 5, 3, mask);

        float* inputK = input + k;
        for (nint p = 0; p < count; p++)
        {
            float* a = inputK + (Unsafe.Add(ref ins, p) * cin);
            float* g = gradOutput + (Unsafe.Add(ref outs, p) * gradStride);
            Vector512<float> g0 = Load<TCols>(g, 0, mask), g1 = Load<TCols>(g, 1, mask), g2 = Load<TCols>(g, 2, mask), g3 = Load<TCols>(g, 3, mask);
            Vector512<float> b = Vector512.Create(a[0]);
            c00 = Fma(b, g0, c00); if (TCols.Vectors > 1) { c01 = Fma(b, g1, c01); } if (TCols.Vectors > 2) { c02 = Fma(b, g2, c02); } if (TCols.Vectors > 3) { c03 = Fma(b, g3, c03); }
            if (TRows.Count > 1)
            {
                b = Vector512.Create(a[1]);
                c10 = Fma(b, g0, c10); if (TCols.Vectors > 1) { c11 = Fma(b, g1, c11); } if (TCols.Vectors > 2) { c12 = Fma(b, g2, c12); } if (TCols.Vectors > 3) { c13 = Fma(b, g3, c13); }
            }

            if (TRows.Count > 2)
            {
                b = Vector512.Create(a[2]);
                c20 = Fma(b, g0, c20); if (TCols.Vectors > 1) { c21 = Fma(b, g1, c21); } if (TCols.Vectors > 2) { c22 = Fma(b, g2, c22); } if (TCols.Vectors > 3) { c23 = Fma(b, g3, c23); }
            }

            if (TRows.Count > 3)
            {
                b = Vector512.Create(a[3]);
                c30 = Fma(b, g0, c30); if (TCols.Vectors > 1) { c31 = Fma(b, g1, c31); } if (TCols.Vectors > 2) { c32 = Fma(b, g2, c32); } if (TCols.Vectors > 3) { c33 = Fma(b, g3, c33); }
            }

            if (TRows.Count > 4)
            {
                b = Vector512.Create(a[4]);
                c40 = Fma(b, g0, c40); if (TCols.Vectors > 1) { c41 = Fma(b, g1, c41); } if (TCols.Vectors > 2) { c42 = Fma(b, g2, c42); } if (TCols.Vectors > 3) { c43 = Fma(b, g3, c43); }
            }

            if (TRows.Count > 5)
            {
                b = Vector512.Create(a[5]);
                c50 = Fma(b, g0, c50); if (TCols.Vectors > 1) { c51 = Fma(b, g1, c51); } if (TCols.Vectors > 2) { c52 = Fma(b, g2, c52); } if (TCols.Vectors > 3) { c53 = Fma(b, g3, c53); }
            }
        }

        Store<TRows, TCols>(d0, 0, 0, c00, mask); Store<TRows, TCols>(d0, 0, 1, c01, mask); Store<TRows, TCols>(d0, 0, 2, c02, mask); Store<TRows, TCols>(d0, 0, 3, c03, mask);
        Store<TRows, TCols>(d1, 1, 0, c10, mask); Store<TRows, TCols>(d1, 1, 1, c11, mask); Store<TRows, TCols>(d1, 1, 2, c12, mask); Store<TRows, TCols>(d1, 1, 3, c13, mask);
        Store<TRows, TCols>(d2, 2, 0, c20, mask); Store<TRows, TCols>(d2, 2, 1, c21, mask); Store<TRows, TCols>(d2, 2, 2, c22, mask); Store<TRows, TCols>(d2, 2, 3, c23, mask);
        Store<TRows, TCols>(d3, 3, 0, c30, mask); Store<TRows, TCols>(d3, 3, 1, c31, mask); Store<TRows, TCols>(d3, 3, 2, c32, mask); Store<TRows, TCols>(d3, 3, 3, c33, mask);
        Store<TRows, TCols>(d4, 4, 0, c40, mask); Store<TRows, TCols>(d4, 4, 1, c41, mask); Store<TRows, TCols>(d4, 4, 2, c42, mask); Store<TRows, TCols>(d4, 4, 3, c43, mask);
        Store<TRows, TCols>(d5, 5, 0, c50, mask); Store<TRows, TCols>(d5, 5, 1, c51, mask); Store<TRows, TCols>(d5, 5, 2, c52, mask); Store<TRows, TCols>(d5, 5, 3, c53, mask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Avx512F.FusedMultiplyAdd(a, b, c);

    /// <summary>Vector <paramref name="v"/> of a panel row; zero (never used) beyond the panel width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load<TCols>(float* row, int v, Vector512<float> mask)
        where TCols : struct, IColumns
    {
        if (v >= TCols.Vectors)
        {
            return Vector512<float>.Zero;
        }

        return TCols.MaskLast && v == TCols.Vectors - 1
            ? Avx512F.MaskLoad(row + (v * Lanes), mask, Vector512<float>.Zero)
            : Vector512.Load(row + (v * Lanes));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TCols>(float* row, int v, Vector512<float> value, Vector512<float> mask)
        where TCols : struct, IColumns
    {
        if (v >= TCols.Vectors)
        {
            return;
        }

        if (TCols.MaskLast && v == TCols.Vectors - 1)
        {
            Avx512F.MaskStore(row + (v * Lanes), mask, value);
        }
        else
        {
            value.Store(row + (v * Lanes));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load<TRows, TCols>(float* row, int r, int v, Vector512<float> mask)
        where TRows : struct, IRows
        where TCols : struct, IColumns =>
        r < TRows.Count ? Load<TCols>(row, v, mask) : Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TRows, TCols>(float* row, int r, int v, Vector512<float> value, Vector512<float> mask)
        where TRows : struct, IRows
        where TCols : struct, IColumns
    {
        if (r < TRows.Count)
        {
            Store<TCols>(row, v, value, mask);
        }
    }
}
