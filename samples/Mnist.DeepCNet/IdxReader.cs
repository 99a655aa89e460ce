using System.Buffers.Binary;
using System.IO.Compression;

namespace MnistDeepCNet;

/// <summary>An IDX file that is truncated, corrupt or of the wrong kind; the message names the file.</summary>
public sealed class IdxFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    public IdxFormatException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>Images (count x rows x columns bytes) from an IDX file.</summary>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Rows per image.</param>
/// <param name="Columns">Columns per image.</param>
/// <param name="Pixels">All pixels, image-major, row-major within an image (0 = background, 255 = ink).</param>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels)
{
    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * Rows * Columns, Rows * Columns);
}

/// <summary>
/// Reads MNIST's IDX files (big-endian: magic 2051 + count, rows, columns, then pixels; magic 2049 + count,
/// then labels), gzipped or not (recognised by the gzip magic bytes, whatever the file name).
/// </summary>
public static class IdxReader
{
    private const int ImageMagic = 2051, LabelMagic = 2049;

    /// <summary>Reads an image file.</summary>
    public static IdxImages ReadImages(string path) => ParseImages(path, File.ReadAllBytes(path));

    /// <summary>Parses <paramref name="file"/>, the bytes of the image file at <paramref name="path"/> (named in errors).</summary>
    public static IdxImages ParseImages(string path, byte[] file)
    {
        byte[] data = Decompress(path, file);
        Header(path, data, ImageMagic, 16, "images");
        int count = Int(data, 4), rows = Int(data, 8), columns = Int(data, 12);
        if (count < 0 || rows <= 0 || columns <= 0 || rows > 4096 || columns > 4096)
            throw new IdxFormatException($"'{path}': implausible image header (count {count}, {rows} x {columns}); the file is corrupt.");
        long expected = 16 + (long)count * rows * columns;
        CheckLength(path, data, expected);
        return new IdxImages(count, rows, columns, data[16..(int)expected]);
    }

    /// <summary>Reads a label file.</summary>
    public static byte[] ReadLabels(string path, int classes = 10) => ParseLabels(path, File.ReadAllBytes(path), classes);

    /// <summary>Parses <paramref name="file"/>, the bytes of the label file at <paramref name="path"/> (named in errors).</summary>
    public static byte[] ParseLabels(string path, byte[] file, int classes = 10)
    {
        byte[] data = Decompress(path, file);
        Header(path, data, LabelMagic, 8, "labels");
        int count = Int(data, 4);
        if (count < 0)
            throw new IdxFormatException($"'{path}': negative label count {count}; the file is corrupt.");
        CheckLength(path, data, 8L + count);
        byte[] labels = data[8..(8 + count)];
        int bad = Array.FindIndex(labels, l => l >= classes);
        if (bad >= 0)
            throw new IdxFormatException($"'{path}': label {labels[bad]} of item {bad} is not a class 0..{classes - 1}; the file is corrupt.");
        return labels;
    }

    private static byte[] Decompress(string path, byte[] raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b)
            return raw;
        try
        {
            using GZipStream gzip = new(new MemoryStream(raw), CompressionMode.Decompress);
            using MemoryStream output = new();
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException($"'{path}': the gzip stream is corrupt or truncated ({e.Message}).", e);
        }
    }

    private static void Header(string path, byte[] data, int magic, int headerLength, string what)
    {
        if (data.Length < headerLength)
            throw new IdxFormatException($"'{path}': {data.Length} bytes is shorter than the {headerLength}-byte IDX {what} header; the file is truncated.");
        int found = Int(data, 0);
        if (found != magic)
            throw new IdxFormatException($"'{path}': magic number {found} is not {magic} (IDX {what}); the file is corrupt or not an IDX {what} file.");
    }

    private static void CheckLength(string path, byte[] data, long expected)
    {
        if (data.Length < expected)
            throw new IdxFormatException($"'{path}': {data.Length} bytes, the header promises {expected}; the file is truncated.");
        if (data.Length > expected)
            throw new IdxFormatException($"'{path}': {data.Length} bytes, the header promises {expected}; the file has trailing data.");
    }

    private static int Int(byte[] data, int offset) => BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(offset, 4));
}
