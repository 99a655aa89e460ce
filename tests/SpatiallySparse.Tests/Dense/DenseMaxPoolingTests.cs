using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Dense;

namespace SpatiallySparse.Tests.Dense;

/// <summary>Where dense max pooling sends the gradient when a window holds its maximum more than once.</summary>
[TestFixture]
public sealed class DenseMaxPoolingTests
{
    [TestCase(1)]
    [TestCase(2)]
    public void TiedMaximaGiveTheGradientToTheFirstInTapOrder(int threads)
    {
        CpuBackend backend = new(threads);
        // One channel, 3 x 3, overlapping 2 x 2 windows with stride 1; the 5s tie inside every window.
        float[] input = [5, 5, 1, 5, 5, 2, 0, 3, 4];
        SpatialSize size = SpatialSize.Cube(2, 3);
        using Tape tape = new();
        FeatureMatrix features = backend.Allocate(9, 1);
        backend.Upload(input, features);
        DenseFeatureMap x = tape.Own(new DenseFeatureMap(features, 1, size));
        DenseFeatureMap y = new DenseMaxPooling(2, 2, 1).Forward(x, tape);
        Assert.That(y.ToArray(), Is.EqualTo(new float[] { 5, 5, 5, 5 }));
        backend.Upload([1f, 10f, 100f, 1000f], y.GradOrCreate());
        tape.Backward();
        // Windows (row-major taps): {0,1,3,4} -> 0; {1,2,4,5} -> 1; {3,4,6,7} -> 3; {4,5,7,8} -> 4.
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new float[] { 1, 10, 0, 100, 1000, 0, 0, 0, 0 }));
    }

    [Test]
    public void WindowsThatDoNotTileTheGridAreRejectedAsInTheSparseLayers()
    {
        using Tape tape = new();
        DenseFeatureMap x = tape.Own(new DenseFeatureMap(CpuBackend.Shared.Allocate(25, 1), 1, SpatialSize.Cube(2, 5)));
        // 5 x 5 pooled 2 / 2 would drop the last row and column; the sparse MaxPooling throws too.
        Assert.That(() => new DenseMaxPooling(2, 2, 2).Forward(x, tape),
            Throws.ArgumentException.With.Message.Contains("does not tile").And.Message.Contains("(5 + 2 x 0 - 2) is not a multiple of 2"));
        Assert.That(() => new DenseConvolution(2, 1, 1, 2, stride: 2).Forward(x, tape), Throws.ArgumentException.With.Message.Contains("does not tile"));
        Assert.That(new DenseMaxPooling(2, 3, 2).Forward(x, tape).SpatialSize, Is.EqualTo(SpatialSize.Cube(2, 2)));
    }

    [Test]
    public void NonPositiveWindowsNameTheirParameter()
    {
        Assert.That(() => new DenseMaxPooling(2, 0, 2), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("poolSize"));
        Assert.That(() => new DenseMaxPooling(2, 2, 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("stride"));
        Assert.That(() => new DenseConvolution(2, 1, 1, 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("filterSize"));
        Assert.That(() => new DenseConvolution(2, 1, 1, 3, stride: 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("stride"));
    }

    [Test]
    public void TheWindowTableCacheStaysWithinItsBound()
    {
        long bound = WindowTable.MaxCachedSites;
        try
        {
            WindowTable.MaxCachedSites = 100;
            SpatialSize filter = SpatialSize.Cube(2, 2), stride = SpatialSize.Cube(2, 1);
            WindowTable small = WindowTable.Get(SpatialSize.Cube(2, 5), filter, stride); // 16 outputs x 4 taps
            Assert.That(WindowTable.Get(SpatialSize.Cube(2, 5), filter, stride), Is.SameAs(small), "cached");
            WindowTable six = WindowTable.Get(SpatialSize.Cube(2, 6), filter, stride); // 100 sites: the cache starts over
            Assert.That(WindowTable.CachedSites, Is.EqualTo(100));
            Assert.That(WindowTable.Get(SpatialSize.Cube(2, 5), filter, stride), Is.Not.SameAs(small), "dropped when the bound was reached");
            WindowTable seven = WindowTable.Get(SpatialSize.Cube(2, 7), filter, stride); // 144 sites: never cached
            Assert.That(WindowTable.Get(SpatialSize.Cube(2, 7), filter, stride), Is.Not.SameAs(seven));
            Assert.That(WindowTable.CachedSites, Is.LessThanOrEqualTo(100));
            Assert.That((seven.Output, seven.Sites[^1]), Is.EqualTo((SpatialSize.Cube(2, 6), 48)), "an uncached table is still whole");
            Assert.That(six.Sites, Has.Length.EqualTo(100));
        }
        finally
        {
            WindowTable.MaxCachedSites = bound;
        }
    }
}
