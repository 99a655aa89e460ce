namespace SpatiallySparse.Data;

/// <summary>How <see cref="SparseBatchLoader"/> seeds the <see cref="Random"/> it hands to the sample callback.</summary>
public enum AugmentationScope
{
    /// <summary>
    /// One generator per sample, seeded from (seed, epoch, sample index): a sample draws the same whatever batch,
    /// slot or worker builds it. The generator is reseeded in place, so this allocates nothing per sample.
    /// </summary>
    Sample,

    /// <summary>
    /// One <c>new Random(BatchSeeds.Mix(seed, epoch, batch))</c> per batch, drawn by its samples in slot order:
    /// the scheme of training loops that seeded one generator per batch, kept so their runs stay reproducible.
    /// </summary>
    Batch,
}
