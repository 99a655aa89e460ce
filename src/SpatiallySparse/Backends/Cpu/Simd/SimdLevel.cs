using System.Runtime.Intrinsics;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>Vector width used by the CPU kernels (TEMPORARY stand-in until the SIMD kernels land).</summary>
public enum SimdLevel
{
    /// <summary>Plain loops.</summary>
    Scalar,

    /// <summary>256-bit vectors.</summary>
    Vector256,

    /// <summary>512-bit vectors.</summary>
    Vector512,
}

/// <summary>Detection of the widest supported level.</summary>
public static class SimdLevels
{
    /// <summary>The widest level the machine accelerates.</summary>
    public static SimdLevel Best =>
        Vector512.IsHardwareAccelerated ? SimdLevel.Vector512 : Vector256.IsHardwareAccelerated ? SimdLevel.Vector256 : SimdLevel.Scalar;
}
