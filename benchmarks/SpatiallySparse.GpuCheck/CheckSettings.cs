using SpatiallySparse.Ilgpu.Tests.Conformance;

namespace SpatiallySparse.GpuCheck;

/// <summary>Problem sizes of one run: the full GPU check, or a smoke run of the same code on ILGPU's CPU emulator.</summary>
internal sealed record CheckSettings(bool Emulator, ConformanceSizes Sizes, int DiscRadius, int SphereRadius, int Repeats, int K, int Batch)
{
    /// <summary>About 1M sites in 2D, 0.8M in 3D, DeepCNet(5, 60) with batch 100.</summary>
    public static CheckSettings Full { get; } = new(false, ConformanceSizes.Real, 564, 190, 10, 60, 100);

    /// <summary>Seconds on the CPU emulator: proves the program runs end to end without a GPU.</summary>
    public static CheckSettings Smoke { get; } = new(true, ConformanceSizes.Tiny, 4, 3, 1, 4, 4);
}
