using System.Buffers.Binary;
using System.IO.Compression;

namespace SpatiallySparse.Samples.Tests;

/// <summary>Writes small IDX files for tests.</summary>
internal static class Idx
{
    public static byte[] Images(int count, int rows, int columns, Func<int, int, int, byte> pixel)
    {
        byte[] data = new byte[16 + count * rows * columns];
        BinaryPrimitives.WriteInt32BigEndian(data, 2051);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(12), columns);
        for (int i = 0; i < count; i++)
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < columns; c++)
                    data[16 + (i * rows + r) * columns + c] = pixel(i, r, c);
        return data;
    }

    public static byte[] Labels(params byte[] labels)
    {
        byte[] data = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(data, 2049);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), labels.Length);
        labels.CopyTo(data, 8);
        return data;
    }

    public static byte[] Gzip(byte[] data)
    {
        using MemoryStream output = new();
        using (GZipStream gzip = new(output, CompressionLevel.Fastest))
            gzip.Write(data);
        return output.ToArray();
    }
}
