namespace SpatiallySparse.Distributed;

/// <summary>Settings of a <see cref="DistributedDataParallel"/>.</summary>
public sealed class DistributedOptions
{
    /// <summary>
    /// Gradient bytes per all-reduce bucket (4096..1 GiB; default 1 MiB): smaller buckets start communicating
    /// earlier in backward, larger ones pay the per-call latency less often.
    /// </summary>
    public int BucketBytes { get; init; } = 1 << 20;

    /// <summary>Whether each bucket is all-reduced as soon as backward has produced it (default) or all after backward.</summary>
    public bool Overlap { get; init; } = true;

    /// <summary>Whether buffers (batch-norm running statistics) are averaged over the ranks after each training step (default true).</summary>
    public bool AverageBuffers { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming a setting outside its range.</summary>
    public void Validate()
    {
        if (BucketBytes is < 4096 or > 1 << 30)
            throw new ArgumentOutOfRangeException(nameof(BucketBytes), BucketBytes, $"{nameof(BucketBytes)} is {BucketBytes}; accepted: 4096..1073741824.");
    }
}
