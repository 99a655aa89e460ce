using MnistDeepCNet;
using SpatiallySparse.Layers;

namespace SpatiallySparse.GpuCheck;

/// <summary>Reads MNIST's training files (train-images-idx3-ubyte, train-labels-idx1-ubyte, raw or .gz) into DeepCNet batches.</summary>
internal static class Mnist
{
    /// <summary>The first <paramref name="count"/> batches; non-zero pixels are active, centred in the 96 x 96 grid.</summary>
    public static (SparseInput, int[])[] Batches(string folder, int batch, int count)
    {
        IdxImages images = IdxReader.ReadImages(Find(folder, "train-images-idx3-ubyte"));
        byte[] labels = IdxReader.ReadLabels(Find(folder, "train-labels-idx1-ubyte"));
        DigitRasterizer rasterizer = new(96, threshold: 0f, maxShift: 0);
        (SparseInput, int[])[] result = new (SparseInput, int[])[count];
        for (int k = 0; k < count; k++)
        {
            SparseInput input = new(batch, 2, 1);
            for (int b = 0; b < batch; b++)
                rasterizer.Add(images.Image(k * batch + b), input, b, random: null);
            result[k] = (input, [.. labels.Skip(k * batch).Take(batch).Select(l => (int)l)]);
        }
        return result;
    }

    private static string Find(string folder, string name) =>
        new[] { Path.Combine(folder, name), Path.Combine(folder, name + ".gz") }.FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException($"'{folder}' holds neither {name} nor {name}.gz.");
}
