using System.Buffers.Binary;
using System.IO.Compression;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// The first images of MNIST's training set as DeepCNet batches, rasterised as in the MNIST sample and in
/// <c>benchmarks/peers/torch_cpu_step.py</c>: the 28 x 28 digit centred in the grid, a pixel active when
/// value / 255 &gt; threshold, feature value / 255, no augmentation.
/// </summary>
public sealed class MnistDigits
{
    private readonly byte[] _images, _labels;

    private MnistDigits(byte[] images, byte[] labels)
    {
        _images = images;
        _labels = labels;
    }

    /// <summary>Reads the training images and labels from <paramref name="folder"/> (see <see cref="Locate"/>).</summary>
    public static MnistDigits Load(string folder) =>
        new(Read(folder, "train-images-idx3-ubyte", 2051), Read(folder, "train-labels-idx1-ubyte", 2049));

    /// <summary>Every training image's 28 x 28 pixels, one image after another (the IDX header stripped).</summary>
    public ReadOnlySpan<byte> Pixels => _images.AsSpan(16);

    /// <summary>Environment variable naming the data folder (itself or its <c>mnist</c> sub-folder).</summary>
    public const string EnvironmentVariable = "SPATIALLYSPARSE_DATA";

    /// <summary>Active-pixel threshold on value / 255 (Graham 2014).</summary>
    public const float Threshold = 0.02f;

    private const int Side = 28;

    /// <summary>
    /// The folder holding <c>train-images-idx3-ubyte[.gz]</c>: $SPATIALLYSPARSE_DATA (or its <c>mnist</c>
    /// sub-folder), else <c>shared/data/mnist</c> in the current directory or any folder above it.
    /// </summary>
    public static string Locate()
    {
        string? variable = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(variable))
        {
            foreach (string candidate in new[] { Path.Combine(variable, "mnist"), variable })
                if (Find(candidate, "train-images-idx3-ubyte") is not null)
                    return candidate;
            throw new FileNotFoundException($"${EnvironmentVariable} = '{variable}' holds no train-images-idx3-ubyte[.gz], nor does its mnist sub-folder.");
        }
        for (DirectoryInfo? d = new(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "shared", "data", "mnist");
            if (Find(candidate, "train-images-idx3-ubyte") is not null)
                return candidate;
        }
        throw new FileNotFoundException($"MNIST not found: set ${EnvironmentVariable} or run below a folder holding shared/data/mnist.");
    }

    /// <summary>Batch <paramref name="index"/> (images index·batch ..) on a <paramref name="gridSide"/>² grid, with labels.</summary>
    public (SparseInput Input, int[] Labels) Batch(int index, int batch, int gridSide)
    {
        byte[] images = _images, labels = _labels;
        int offset = (gridSide - Side) / 2;
        SparseInput input = new(batch, 2, 1);
        int[] y = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            int image = index * batch + b, start = 16 + image * Side * Side;
            y[b] = labels[8 + image];
            bool any = false;
            for (int p = 0; p < Side * Side; p++)
            {
                float value = images[start + p] / 255f;
                if (value <= Threshold)
                    continue;
                input.Add(b, [offset + p / Side, offset + p % Side], value);
                any = true;
            }
            if (!any)
                input.Add(b, [gridSide / 2, gridSide / 2], 0f);
        }
        return (input, y);
    }

    private static byte[] Read(string folder, string name, int magic)
    {
        string path = Find(folder, name) ?? throw new FileNotFoundException($"'{folder}' holds neither {name} nor {name}.gz.");
        byte[] data = File.ReadAllBytes(path);
        if (data.Length > 2 && data[0] == 0x1f && data[1] == 0x8b)
        {
            using GZipStream gzip = new(new MemoryStream(data), CompressionMode.Decompress);
            using MemoryStream raw = new();
            gzip.CopyTo(raw);
            data = raw.ToArray();
        }
        if (data.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(data) != magic)
            throw new InvalidDataException($"'{path}' is not an IDX file with magic {magic}.");
        return data;
    }

    private static string? Find(string folder, string name) =>
        new[] { Path.Combine(folder, name), Path.Combine(folder, name + ".gz") }.FirstOrDefault(File.Exists);
}
