namespace SpatiallySparse.Serialization;

/// <summary>
/// The folder operations of <see cref="CheckpointManager"/>, ordered so that a crash at any moment leaves every
/// complete-named checkpoint whole: a checkpoint appears by one rename of a finished temporary folder, and
/// disappears by one rename to a <c>.deleting</c> name before its files are removed.
/// </summary>
internal static class CheckpointStorage
{
    /// <summary>
    /// Complete checkpoint folders in <paramref name="folder"/>, oldest first (none when it does not exist): a
    /// checkpoint name and a manifest, which a save writes last, so a folder copied or made by hand without one is skipped.
    /// </summary>
    public static string[] List(string folder) => !Directory.Exists(folder) ? [] :
        [.. Directory.GetDirectories(folder).Where(IsComplete).Order(StringComparer.Ordinal)];

    private static bool IsComplete(string checkpoint) =>
        CheckpointNames.IsComplete(Path.GetFileName(checkpoint)) && File.Exists(Path.Combine(checkpoint, CheckpointChecksums.ManifestName));

    /// <summary>A new, empty temporary folder for the checkpoint <paramref name="name"/>.</summary>
    public static string CreateTemporary(string folder, string name)
    {
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, name + CheckpointNames.TemporaryMarker + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temporary);
        return temporary;
    }

    /// <summary>Renames the finished <paramref name="temporary"/> folder to <paramref name="final"/>, retiring a checkpoint of the same name first.</summary>
    public static void Publish(string temporary, string final)
    {
        if (Directory.Exists(final))
            Retire(final);
        Directory.Move(temporary, final);
    }

    /// <summary>Retires all but the newest <paramref name="keep"/> checkpoints, oldest first.</summary>
    public static void Prune(string folder, int keep)
    {
        string[] all = List(folder);
        foreach (string old in all.Take(Math.Max(0, all.Length - keep)))
            Retire(old);
    }

    /// <summary>Removes what an interrupted save or prune left behind.</summary>
    public static void RemoveLeftovers(string folder)
    {
        if (!Directory.Exists(folder))
            return;
        foreach (string leftover in Directory.GetDirectories(folder).Where(d => CheckpointNames.IsLeftover(Path.GetFileName(d))))
            Directory.Delete(leftover, recursive: true);
    }

    /// <summary>Renames first, so a kill during the recursive delete never leaves a half-deleted checkpoint under a complete name.</summary>
    private static void Retire(string checkpoint)
    {
        string deleting = checkpoint + CheckpointNames.DeletingSuffix;
        if (Directory.Exists(deleting))
            Directory.Delete(deleting, recursive: true);
        Directory.Move(checkpoint, deleting);
        Directory.Delete(deleting, recursive: true);
    }
}
