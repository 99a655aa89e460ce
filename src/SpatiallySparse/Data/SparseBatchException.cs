namespace SpatiallySparse.Data;

/// <summary>
/// A loader worker failed to build a batch: thrown on the consumer's thread when it reaches that batch (earlier
/// batches are still delivered). <see cref="Exception.InnerException"/> is what the worker threw.
/// </summary>
public sealed class SparseBatchException : Exception
{
    /// <summary>Creates the exception for batch <paramref name="batchIndex"/> of <paramref name="epoch"/>.</summary>
    public SparseBatchException(int epoch, int batchIndex, Exception inner)
        : base($"Building batch {batchIndex} of epoch {epoch} failed: {inner?.Message}", inner)
    {
        Epoch = epoch;
        BatchIndex = batchIndex;
    }

    /// <summary>Epoch of the failed batch.</summary>
    public int Epoch { get; }

    /// <summary>Index of the failed batch within its epoch.</summary>
    public int BatchIndex { get; }
}
