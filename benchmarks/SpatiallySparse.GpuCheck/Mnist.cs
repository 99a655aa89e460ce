using SpatiallySparse.Layers;

namespace SpatiallySparse.GpuCheck;

/// <summary>Reads MNIST's IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte) into DeepCNet batches.</summary>
internal static class Mnist
{
    /// <summary>The first <paramref name="count"/> batches; non-zero pixels are active, centred in the 96 x 96 grid.</summary>
    public static (SparseInput, int[])[] Batches(string folder, int batch, int count)
    {
        byte[] images = File.ReadAllBytes(Path.Combine(folder, "train-images-idx3-ubyte"));
        byte[] labels = File.ReadAllBytes(Path.Combine(folder, "train-labels-idx1-ubyte"));
        if (BigEndian(images, 0) != 2051 || BigEndian(labels, 0) != 2049 || BigEndian(images, 8) != 28 || BigEndian(images, 12) != 28)
            throw new InvalidDataException($"{folder} does not hold MNIST IDX files.");
        (SparseInput, int[])[] result = new (SparseInput, int[])[count];
        for (int k = 0; k < count; k++)
            result[k] = Read(images, labels, k * batch, batch);
        return result;
    }

    private static (SparseInput, int[]) Read(byte[] images, byte[] labels, int first, int batch)
    {
        const int Offset = (96 - 28) / 2;
        SparseInput input = new(batch, 2, 1);
        int[] y = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            int image = 16 + (first + b) * 784;
            y[b] = labels[8 + first + b];
            for (int p = 0; p < 784; p++)
                if (images[image + p] != 0)
                    input.Add(b, [Offset + p / 28, Offset + p % 28], images[image + p] / 255f);
        }
        return (input, y);
    }

    private static int BigEndian(byte[] data, int at) => (data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3];
}
