using SpatiallySparse.Data;

namespace SpatiallySparse.Samples.Common;

/// <summary>
/// Derives independent seeds from (run seed, epoch, batch). Every random draw of a training step (data order,
/// augmentation, dropout masks) comes from such a seed rather than from a long-lived generator, so a run
/// resumed at any batch draws exactly what the uninterrupted run would have.
/// </summary>
public static class Seeds
{
    /// <summary>A well-mixed 31-bit seed from the parts (the library's <see cref="BatchSeeds.Mix"/>, which the loaders use).</summary>
    public static int Mix(int seed, int epoch, int batch) => BatchSeeds.Mix(seed, epoch, batch);

    /// <summary>A permutation of 0..count-1 for <paramref name="epoch"/> (the loaders' shuffle, <see cref="BatchSeeds.EpochOrder"/>).</summary>
    public static int[] EpochOrder(int seed, int epoch, int count) => BatchSeeds.EpochOrder(seed, epoch, count);
}
