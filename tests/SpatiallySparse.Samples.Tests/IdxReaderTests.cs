using MnistDeepCNet;
using NUnit.Framework;

namespace SpatiallySparse.Samples.Tests;

[TestFixture]
public sealed class IdxReaderTests
{
    [TestCase(false)]
    [TestCase(true)]
    public void ReadsImagesAndLabelsPlainOrGzipped(bool gzip)
    {
        using TempFolder temp = new();
        byte[] images = Idx.Images(3, 2, 4, (i, r, c) => (byte)(i * 100 + r * 10 + c));
        byte[] labels = Idx.Labels(7, 0, 9);
        File.WriteAllBytes(temp.File("x"), gzip ? Idx.Gzip(images) : images);
        File.WriteAllBytes(temp.File("y"), gzip ? Idx.Gzip(labels) : labels);

        IdxImages x = IdxReader.ReadImages(temp.File("x"));
        Assert.That((x.Count, x.Rows, x.Columns), Is.EqualTo((3, 2, 4)));
        Assert.That(x.Image(2).ToArray(), Is.EqualTo(new byte[] { 200, 201, 202, 203, 210, 211, 212, 213 }));
        Assert.That(IdxReader.ReadLabels(temp.File("y")), Is.EqualTo(new byte[] { 7, 0, 9 }));
    }

    [TestCase(10, "shorter than the 16-byte")]
    [TestCase(30, "truncated")]
    public void TruncatedImageFileNamesTheFile(int keep, string expected)
    {
        using TempFolder temp = new();
        string path = temp.File("train-images-idx3-ubyte");
        File.WriteAllBytes(path, Idx.Images(3, 2, 4, (_, _, _) => 1)[..keep]);
        IdxFormatException e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain(expected));
    }

    [Test]
    public void TruncatedGzipNamesTheFile()
    {
        using TempFolder temp = new();
        string path = temp.File("t10k-labels-idx1-ubyte.gz");
        byte[] gz = Idx.Gzip(Idx.Labels([.. Enumerable.Repeat((byte)3, 500)]));
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);
        IdxFormatException e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadLabels(path))!;
        Assert.That(e.Message, Does.Contain(path));
    }

    [Test]
    public void CorruptFilesAreRefusedWithTheirName()
    {
        using TempFolder temp = new();
        string wrongMagic = temp.File("a"), badLabel = temp.File("b"), trailing = temp.File("c"), corruptGzip = temp.File("d.gz");
        File.WriteAllBytes(wrongMagic, Idx.Labels([.. Enumerable.Repeat((byte)1, 20)]));
        File.WriteAllBytes(badLabel, Idx.Labels(1, 12));
        File.WriteAllBytes(trailing, [.. Idx.Labels(1, 2), 0]);
        byte[] gz = Idx.Gzip(Idx.Labels(1, 2));
        gz[12] ^= 0xFF;
        gz[13] ^= 0xFF;
        File.WriteAllBytes(corruptGzip, gz);

        Assert.That(() => IdxReader.ReadImages(wrongMagic), Throws.TypeOf<IdxFormatException>().With.Message.Contain(wrongMagic).And.Message.Contain("magic"));
        Assert.That(() => IdxReader.ReadLabels(badLabel), Throws.TypeOf<IdxFormatException>().With.Message.Contain(badLabel).And.Message.Contain("label 12"));
        Assert.That(() => IdxReader.ReadLabels(trailing), Throws.TypeOf<IdxFormatException>().With.Message.Contain(trailing));
        Assert.That(() => IdxReader.ReadLabels(corruptGzip), Throws.InstanceOf<IOException>().With.Message.Contain(corruptGzip));
    }
}
