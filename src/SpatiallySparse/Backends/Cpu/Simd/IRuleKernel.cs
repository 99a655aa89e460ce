using System;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// One instruction-set implementation of the two rule-driven products. Static abstract members let the
/// parallel drivers be specialised per implementation, so the level is dispatched once per call, not per tap.
/// </summary>
internal unsafe interface IRuleKernel
{
    /// <summary>Columns of one register panel; work splits along columns happen at multiples of it.</summary>
    static abstract int PanelWidth { get; }

    /// <summary>
    /// Whether the drivers should re-lay operands for this kernel (aligned padded rows, im2col for few channels).
    /// False for the scalar reference, which must stay the plain loops over the caller's data.
    /// </summary>
    static abstract bool Relayout { get; }

    /// <summary>The level this kernel implements (for the elementwise epilogues run beside it).</summary>
    static abstract SimdLevel Level { get; }

    /// <summary>
    /// For every pair p: <c>output[outRows[p], :] += input[inRows[p], :] · weights</c>, weights being cin x cout
    /// with rows <paramref name="weightStride"/> floats apart. Pairs must write distinct output rows.
    /// </summary>
    static abstract void ScatterTap(
        float* input, int cin, float* weights, int weightStride, float* output, int cout,
        ReadOnlySpan<int> inRows, ReadOnlySpan<int> outRows);

    /// <summary>
    /// Block [kBegin, kEnd) x [jBegin, jEnd) of the cin x cout matrix <paramref name="gradWeights"/>:
    /// <c>gradWeights[k, j] += sum_p input[inRows[p], k] * gradOutput[outRows[p], j]</c>, pairs taken in order,
    /// gradOutput rows being <paramref name="gradStride"/> floats apart.
    /// <paramref name="jBegin"/> is a multiple of <see cref="PanelWidth"/>, <paramref name="jEnd"/> too or cout.
    /// </summary>
    static abstract void GradientTap(
        float* input, int cin, float* gradOutput, int gradStride, ReadOnlySpan<int> inRows, ReadOnlySpan<int> outRows,
        float* gradWeights, int cout, int kBegin, int kEnd, int jBegin, int jEnd);
}

/// <summary>
/// Compile-time shape of a column panel: how many vectors wide, and whether the last vector is masked
/// (a column tail). Struct type arguments make these constants, so unused accumulators vanish at JIT time.
/// </summary>
internal interface IColumns
{
    static abstract int Vectors { get; }

    static abstract bool MaskLast { get; }
}

/// <summary>Compile-time row count of a micro-kernel (used for the k-remainder of the weight gradient).</summary>
internal interface IRows
{
    static abstract int Count { get; }
}

internal readonly struct Full2 : IColumns
{
    public static int Vectors => 2;

    public static bool MaskLast => false;
}

internal readonly struct Full4 : IColumns
{
    public static int Vectors => 4;

    public static bool MaskLast => false;
}

internal readonly struct Tail1 : IColumns
{
    public static int Vectors => 1;

    public static bool MaskLast => true;
}

internal readonly struct Tail2 : IColumns
{
    public static int Vectors => 2;

    public static bool MaskLast => true;
}

internal readonly struct Tail3 : IColumns
{
    public static int Vectors => 3;

    public static bool MaskLast => true;
}

internal readonly struct Tail4 : IColumns
{
    public static int Vectors => 4;

    public static bool MaskLast => true;
}

internal readonly struct Rows1 : IRows
{
    public static int Count => 1;
}

internal readonly struct Rows2 : IRows
{
    public static int Count => 2;
}

internal readonly struct Rows3 : IRows
{
    public static int Count => 3;
}

internal readonly struct Rows4 : IRows
{
    public static int Count => 4;
}

internal readonly struct Rows5 : IRows
{
    public static int Count => 5;
}

internal readonly struct Rows6 : IRows
{
    public static int Count => 6;
}
