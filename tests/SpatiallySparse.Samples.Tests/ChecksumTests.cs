using MnistDeepCNet;
using NUnit.Framework;
using SpatiallySparse.Samples.Common;

namespace SpatiallySparse.Samples.Tests;

[TestFixture]
public sealed class ChecksumTests
{
    private const string HelloSha256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    [Test]
    public void KnownContentVerifies()
    {
        using TempFolder temp = new();
        File.WriteAllText(temp.File("h"), "hello");
        Assert.That(Checksums.Sha256(temp.File("h")), Is.EqualTo(HelloSha256));
        Assert.DoesNotThrow(() => Checksums.Verify(temp.File("h"), HelloSha256.ToUpperInvariant()));
    }

    [Test]
    public void WrongChecksumIsDetectedAndNamesTheFile()
    {
        using TempFolder temp = new();
        File.WriteAllText(temp.File("h"), "hellO");
        ChecksumMismatchException e = Assert.Throws<ChecksumMismatchException>(() => Checksums.Verify(temp.File("h"), HelloSha256))!;
        Assert.That(e.Message, Does.Contain(temp.File("h")).And.Contain(HelloSha256));
    }

    [Test]
    public void BytesAlreadyReadVerifyAsTheFileDoes()
    {
        byte[] hello = "hello"u8.ToArray();
        Assert.That(Checksums.Sha256(hello), Is.EqualTo(HelloSha256));
        Assert.DoesNotThrow(() => Checksums.Verify("h", hello, HelloSha256.ToUpperInvariant()));
        ChecksumMismatchException e = Assert.Throws<ChecksumMismatchException>(() => Checksums.Verify("some/h", "hellO"u8, HelloSha256))!;
        Assert.That(e.Message, Does.Contain("some/h").And.Contain(HelloSha256));
    }

    [Test]
    public void MnistLoaderRefusesFilesThatAreNotTheCanonicalOnes()
    {
        using TempFolder temp = new();
        File.WriteAllBytes(temp.File("train-images-idx3-ubyte.gz"), Idx.Gzip(Idx.Images(2, 28, 28, (_, _, _) => 0)));
        File.WriteAllBytes(temp.File("train-labels-idx1-ubyte.gz"), Idx.Gzip(Idx.Labels(1, 2)));
        File.WriteAllBytes(temp.File("t10k-images-idx3-ubyte"), Idx.Images(1, 28, 28, (_, _, _) => 0));
        File.WriteAllBytes(temp.File("t10k-labels-idx1-ubyte"), Idx.Labels(1));
        Assert.That(MnistData.Spec.IsPresentIn(temp.Path), Is.True, "gzipped and plain files both count");
        Assert.That(() => MnistData.Load(temp.Path), Throws.TypeOf<ChecksumMismatchException>().With.Message.Contain("train-images-idx3-ubyte.gz"));
        Assert.That(MnistData.Load(temp.Path, verify: false).Test.Count, Is.EqualTo(1));
    }
}
