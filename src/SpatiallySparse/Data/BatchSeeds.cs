namespace SpatiallySparse.Data;

/// <summary>
/// Derives independent seeds from (run seed, epoch, batch or sample) and shuffles an epoch, for
/// <see cref="SparseBatchLoader"/>. Every draw comes from such a seed rather than from a long-lived generator, so
/// a run resumed at any batch, or built by any number of workers, draws exactly what the uninterrupted run would.
/// </summary>
public static class BatchSeeds
{
    /// <summary>A well-mixed 31-bit seed from the parts (SplitMix64 finaliser).</summary>
    public static int Mix(int seed, int epoch, int item)
    {
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)epoch << 32 ^ (uint)item;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    /// <summary>A permutation of 0..count-1 for <paramref name="epoch"/> (Fisher-Yates, seeded by <c>Mix(seed, epoch, -1)</c>).</summary>
    public static int[] EpochOrder(int seed, int epoch, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int[] order = new int[count];
        for (int i = 0; i < count; i++)
            order[i] = i;
        new Random(Mix(seed, epoch, -1)).Shuffle(order);
        return order;
    }
}
