namespace SpatiallySparse.Serialization;

/// <summary>
/// A training checkpoint that cannot be used or written: corrupt, truncated, incomplete, from another run, or a
/// fresh run aimed at a folder that already holds one. The message names the file or folder and the reason.
/// </summary>
public sealed class CheckpointException : IOException
{
    /// <summary>Creates the exception with no message.</summary>
    public CheckpointException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public CheckpointException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public CheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
