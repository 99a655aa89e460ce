using SpatiallySparse.Serialization;

namespace SpatiallySparse.Distributed;

/// <summary>
/// Checkpoints of a data-parallel job: rank 0 writes (the replicas are identical), every rank reads. The folder
/// must be one all ranks can read (one machine, or a shared file system).
/// </summary>
public static class DistributedCheckpoints
{
    /// <summary>Rank 0 saves through <paramref name="manager"/>; every rank waits until the file is complete. Returns its path on rank 0, null elsewhere.</summary>
    public static string? Save(DistributedSession session, CheckpointManager manager, int epoch, int stepInEpoch, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(manager);
        string? path = session.IsRoot ? manager.Save(epoch, stepInEpoch, metadata) : null;
        session.Barrier();
        return path;
    }

    /// <summary>
    /// Every rank restores the latest checkpoint (null when there is none), then takes rank 0's weights and
    /// buffers through <paramref name="parallel"/>, so the replicas agree even if a rank read a different file.
    /// </summary>
    public static CheckpointRecord? RestoreLatest(DistributedSession session, CheckpointManager manager, DistributedDataParallel parallel)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(parallel);
        session.Barrier();
        CheckpointRecord? record = manager.Latest() is null ? null : manager.RestoreLatest();
        parallel.BroadcastFromRoot();
        return record;
    }
}
