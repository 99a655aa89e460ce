namespace SpatiallySparse.Samples.Common;

/// <summary>
/// This rank's part of every global batch in data-parallel training: rank <paramref name="Index"/> of
/// <paramref name="Count"/> takes its slice of each batch (<c>SparseBatchLoaderOptions.ShardCount</c>/<c>ShardIndex</c>).
/// </summary>
/// <param name="Count">Number of ranks (the MPI world size).</param>
/// <param name="Index">This rank, 0..<paramref name="Count"/>-1.</param>
public sealed record LoaderShard(int Count, int Index);
