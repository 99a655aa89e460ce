using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// A block of float lanes (a Vector512, a Vector256 or one float) for kernels written once over
/// <typeparamref name="TVec"/>: struct implementations make every call a constant the JIT inlines, and the
/// scalar one runs the same code, so it is the tested fallback. Masks are vectors of all-ones or zero lanes.
/// </summary>
internal unsafe interface ILanes<TVec>
    where TVec : struct
{
    static abstract int Width { get; }

    static abstract TVec Zero { get; }

    static abstract TVec AllBits { get; }

    static abstract TVec Load(float* p);

    static abstract void Store(float* p, TVec v);

    static abstract TVec Broadcast(float v);

    static abstract TVec Add(TVec a, TVec b);

    static abstract TVec Subtract(TVec a, TVec b);

    static abstract TVec Multiply(TVec a, TVec b);

    static abstract TVec Divide(TVec a, TVec b);

    /// <summary>Correctly rounded square root on every level, so the levels agree bit for bit.</summary>
    static abstract TVec Sqrt(TVec a);

    /// <summary>a * b + c, fused on the vector levels (as the rule kernels), two roundings on the scalar one.</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    /// <summary>IEEE 754 maximum (NaN wins, +0 &gt; -0), as the pooling kernels.</summary>
    static abstract TVec Max(TVec a, TVec b);

    /// <summary>v &gt; 0 ? v : slope v.</summary>
    static abstract TVec LeakyRelu(TVec v, TVec slope);

    /// <summary>y &gt; 0 ? g : slope g: the gradient through a leaky ReLU with output y.</summary>
    static abstract TVec LeakyReluGradient(TVec y, TVec g, TVec slope);

    static abstract TVec Equal(TVec a, TVec b);

    static abstract TVec And(TVec a, TVec b);

    /// <summary>a and not b.</summary>
    static abstract TVec AndNot(TVec a, TVec b);

    static abstract TVec Select(TVec mask, TVec whenSet, TVec otherwise);

    static abstract bool Any(TVec mask);
}

internal readonly unsafe struct Lanes512 : ILanes<Vector512<float>>
{
    public static int Width => 16;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    public static Vector512<float> AllBits => Vector512<float>.AllBitsSet;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* p) => Vector512.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector512<float> v) => v.Store(p);

    public static Vector512<float> Broadcast(float v) => Vector512.Create(v);

    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sqrt(Vector512<float> a) => Vector512.Sqrt(a);

    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);

    public static Vector512<float> LeakyRelu(Vector512<float> v, Vector512<float> slope) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero), v, v * slope);

    public static Vector512<float> LeakyReluGradient(Vector512<float> y, Vector512<float> g, Vector512<float> slope) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), g, g * slope);

    public static Vector512<float> Equal(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a, b);

    public static Vector512<float> And(Vector512<float> a, Vector512<float> b) => a & b;

    public static Vector512<float> AndNot(Vector512<float> a, Vector512<float> b) => Vector512.AndNot(a, b);

    public static Vector512<float> Select(Vector512<float> mask, Vector512<float> whenSet, Vector512<float> otherwise) =>
        Vector512.ConditionalSelect(mask, whenSet, otherwise);

    public static bool Any(Vector512<float> mask) => mask.ExtractMostSignificantBits() != 0;
}

internal readonly unsafe struct Lanes256 : ILanes<Vector256<float>>
{
    public static int Width => 8;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    public static Vector256<float> AllBits => Vector256<float>.AllBitsSet;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* p) => Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector256<float> v) => v.Store(p);

    public static Vector256<float> Broadcast(float v) => Vector256.Create(v);

    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sqrt(Vector256<float> a) => Vector256.Sqrt(a);

    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

    public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);

    public static Vector256<float> LeakyRelu(Vector256<float> v, Vector256<float> slope) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.Zero), v, v * slope);

    public static Vector256<float> LeakyReluGradient(Vector256<float> y, Vector256<float> g, Vector256<float> slope) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), g, g * slope);

    public static Vector256<float> Equal(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b);

    public static Vector256<float> And(Vector256<float> a, Vector256<float> b) => a & b;

    public static Vector256<float> AndNot(Vector256<float> a, Vector256<float> b) => Vector256.AndNot(a, b);

    public static Vector256<float> Select(Vector256<float> mask, Vector256<float> whenSet, Vector256<float> otherwise) =>
        Vector256.ConditionalSelect(mask, whenSet, otherwise);

    public static bool Any(Vector256<float> mask) => mask.ExtractMostSignificantBits() != 0;
}

/// <summary>One float per block; masks are the bit patterns of -1 (all ones) and 0.</summary>
internal readonly unsafe struct Lanes1 : ILanes<float>
{
    public static int Width => 1;

    public static float Zero => 0f;

    public static float AllBits => BitConverter.Int32BitsToSingle(-1);

    public static float Load(float* p) => *p;

    public static void Store(float* p, float v) => *p = v;

    public static float Broadcast(float v) => v;

    public static float Add(float a, float b) => a + b;

    public static float Subtract(float a, float b) => a - b;

    public static float Multiply(float a, float b) => a * b;

    public static float Divide(float a, float b) => a / b;

    public static float Sqrt(float a) => MathF.Sqrt(a);

    public static float MultiplyAdd(float a, float b, float c) => (a * b) + c;

    public static float Max(float a, float b) => Math.Max(a, b);

    public static float LeakyRelu(float v, float slope) => v > 0 ? v : slope * v;

    public static float LeakyReluGradient(float y, float g, float slope) => y > 0 ? g : slope * g;

    public static float Equal(float a, float b) => a == b ? AllBits : 0f;

    public static float And(float a, float b) => Bits(Bits(a) & Bits(b));

    public static float AndNot(float a, float b) => Bits(Bits(a) & ~Bits(b));

    public static float Select(float mask, float whenSet, float otherwise) => Bits(mask) != 0 ? whenSet : otherwise;

    public static bool Any(float mask) => Bits(mask) != 0;

    private static int Bits(float v) => BitConverter.SingleToInt32Bits(v);

    private static float Bits(int v) => BitConverter.Int32BitsToSingle(v);
}
