namespace SpatiallySparse.Ilgpu.Tests.Conformance;

/// <summary>Problem sizes of a conformance run: tiny for the CPU emulator, real for a GPU.</summary>
public sealed record ConformanceSizes(int Side2D, int Side3D, int Batch, int Points2D, int Points3D, int ChannelsIn, int ChannelsOut, double Tolerance)
{
    /// <summary>Seconds, not minutes, on ILGPU's CPU emulator (about 1000x slower than the SIMD CPU backend).</summary>
    public static ConformanceSizes Tiny { get; } = new(8, 6, 2, 40, 40, 3, 5, 1e-4);

    /// <summary>Real layer sizes with odd channel counts, for a CUDA device.</summary>
    public static ConformanceSizes Real { get; } = new(96, 24, 8, 3000, 2500, 67, 61, 1e-4);
}
