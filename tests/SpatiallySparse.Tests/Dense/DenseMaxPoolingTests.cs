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
}
