using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>Instruction-set width used by the CPU kernels.</summary>
public enum SimdLevel
{
    /// <summary>Plain scalar loops: the reference and benchmark baseline.</summary>
    Scalar,

    /// <summary>256-bit kernels (AVX2 + FMA).</summary>
    Vector256,

    /// <summary>512-bit kernels (AVX-512F).</summary>
    Vector512,
}

/// <summary>Which <see cref="SimdLevel"/>s this machine can run.</summary>
public static class SimdLevels
{
    /// <summary>The widest level the hardware accelerates.</summary>
    public static SimdLevel Best { get; } =
        IsSupported(SimdLevel.Vector512) ? SimdLevel.Vector512
        : IsSupported(SimdLevel.Vector256) ? SimdLevel.Vector256
        : SimdLevel.Scalar;

    /// <summary>
    /// True when the level's kernels run in hardware. The vector kernels use masked loads/stores
    /// (Avx512F / Avx) and fused multiply-add, so those ISAs are required as well as the width.
    /// </summary>
    public static bool IsSupported(SimdLevel level) => level switch
    {
        SimdLevel.Scalar => true,
        SimdLevel.Vector256 => Vector256.IsHardwareAccelerated && Avx.IsSupported && Fma.IsSupported,
        SimdLevel.Vector512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        _ => false,
    };

    /// <summary>All levels this machine supports, narrowest first.</summary>
    public static IEnumerable<SimdLevel> Supported()
    {
        foreach (SimdLevel level in Enum.GetValues<SimdLevel>())
        {
            if (IsSupported(level))
            {
                yield return level;
            }
        }
    }
}
