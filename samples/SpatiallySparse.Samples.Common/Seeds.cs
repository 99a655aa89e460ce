namespace SpatiallySparse.Samples.Common;

/// <summary>
/// Derives independent seeds from (run seed, epoch, batch). Every random draw of a training step (data order,
/// augmentation, dropout masks) comes from such a seed rather than from a long-lived generator, so a run
/// resumed at any batch draws exactly what the uninterrupted run would have.
/// </summary>
public static class Seeds
{
    /// <summary>A well-mixed 31-bit seed from the parts (SplitMix64 finaliser).</summary>
    public static int Mix(int seed, int epoch, int batch)
    {
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)epoch << 32 ^ (uint)batch;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    /// <summary>A permutation of 0..count-1 for <paramref name="epoch"/> (Fisher-Yates).</summary>
    public static int[] EpochOrder(int seed, int epoch, int count)
    {
        int[] order = [.. Enumerable.Range(0, count)];
        new Random(Mix(seed, epoch, -1)).Shuffle(order);
        return order;
    }
}
