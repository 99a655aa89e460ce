using System.Security.Cryptography;

namespace SpatiallySparse.Samples.Common;

/// <summary>The file's SHA-256 differs from the known value: the file is corrupt, truncated or another file.</summary>
public sealed class ChecksumMismatchException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public ChecksumMismatchException(string path, string expected, string actual)
        : base($"'{path}' has SHA-256 {actual}, expected {expected}: the file is corrupt, truncated or not the expected file. Delete it and fetch it again.")
    {
        Path = path;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The file checked.</summary>
    public string Path { get; }

    /// <summary>Known SHA-256 (lower-case hex).</summary>
    public string Expected { get; }

    /// <summary>SHA-256 found.</summary>
    public string Actual { get; }
}

/// <summary>SHA-256 of files (streamed from disk, or as bytes already read), checked against known values.</summary>
public static class Checksums
{
    /// <summary>Lower-case hex SHA-256 of the file at <paramref name="path"/>.</summary>
    public static string Sha256(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Lower-case hex SHA-256 of <paramref name="data"/>.</summary>
    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Throws <see cref="ChecksumMismatchException"/> unless the file's SHA-256 is <paramref name="expectedSha256"/>.</summary>
    public static void Verify(string path, string expectedSha256) => Check(path, Sha256(path), expectedSha256);

    /// <summary>
    /// Throws <see cref="ChecksumMismatchException"/> unless <paramref name="data"/>, the contents of the file at
    /// <paramref name="path"/>, has SHA-256 <paramref name="expectedSha256"/>: for files read whole anyway, so they are read once.
    /// </summary>
    public static void Verify(string path, ReadOnlySpan<byte> data, string expectedSha256) => Check(path, Sha256(data), expectedSha256);

    private static void Check(string path, string actual, string expectedSha256)
    {
        ArgumentNullException.ThrowIfNull(expectedSha256);
        if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
            throw new ChecksumMismatchException(path, expectedSha256.ToLowerInvariant(), actual);
    }
}
