using SpatiallySparse.Samples.Common;

namespace MnistDeepCNet;

/// <summary>One split of MNIST: images and labels.</summary>
/// <param name="Images">The images (28 x 28).</param>
/// <param name="Labels">Digit per image.</param>
public sealed record MnistSplit(IdxImages Images, byte[] Labels)
{
    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>The first <paramref name="count"/> images (all when null or larger).</summary>
    public MnistSplit Take(int? count)
    {
        if (count is not int n || n >= Count)
            return this;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        int size = Images.Rows * Images.Columns;
        return new MnistSplit(Images with { Count = n, Pixels = Images.Pixels[..(n * size)] }, Labels[..n]);
    }
}

/// <summary>The four canonical MNIST files, their checksums and mirrors, and the loader that verifies them.</summary>
public static class MnistData
{
    /// <summary>The data set, as the <see cref="DataFolder"/> looks for it (folder name <c>mnist</c>).</summary>
    public static DatasetSpec Spec { get; } = new("mnist",
    [
        File("train-images-idx3-ubyte", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        File("train-labels-idx1-ubyte", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        File("t10k-images-idx3-ubyte", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        File("t10k-labels-idx1-ubyte", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    ]);

    /// <summary>Loads the training and test splits from <paramref name="folder"/>, verifying every checksum first.</summary>
    public static (MnistSplit Train, MnistSplit Test) Load(string folder, bool verify = true) =>
        (LoadSplit(folder, training: true, verify), LoadSplit(folder, training: false, verify));

    /// <summary>Loads the training (or test) split from <paramref name="folder"/>, verifying its checksums first.</summary>
    public static MnistSplit LoadSplit(string folder, bool training, bool verify = true)
    {
        string prefix = training ? "train" : "t10k";
        (string images, byte[] imageBytes) = Read(folder, $"{prefix}-images-idx3-ubyte", verify);
        (string labels, byte[] labelBytes) = Read(folder, $"{prefix}-labels-idx1-ubyte", verify);
        IdxImages x = IdxReader.ParseImages(images, imageBytes);
        byte[] y = IdxReader.ParseLabels(labels, labelBytes);
        if (x.Count != y.Length)
            throw new IdxFormatException($"'{images}' holds {x.Count} images but '{labels}' holds {y.Length} labels.");
        return new MnistSplit(x, y);
    }

    /// <summary>The file's path and bytes, read once and (with <paramref name="verify"/>) checked before parsing.</summary>
    private static (string Path, byte[] Bytes) Read(string folder, string name, bool verify)
    {
        DatasetFile file = Spec.Files.Single(f => f.AlternativeName == name);
        (string path, string sha) = file.Find(folder) ?? throw new DataUnavailableException($"'{folder}' holds neither {file.FileName} nor {name}.");
        byte[] bytes = System.IO.File.ReadAllBytes(path);
        if (verify)
            Checksums.Verify(path, bytes, sha);
        return (path, bytes);
    }

    private static DatasetFile File(string name, string gzSha256, string rawSha256) =>
        new(name + ".gz", gzSha256,
            [new Uri($"https://ossci-datasets.s3.amazonaws.com/mnist/{name}.gz"), new Uri($"https://storage.googleapis.com/cvdf-datasets/mnist/{name}.gz")],
            name, rawSha256);
}
