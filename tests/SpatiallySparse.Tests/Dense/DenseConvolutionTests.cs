using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Dense;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Dense;

/// <summary>The 'same'-padded dense convolution is the submanifold convolution of a fully active grid.</summary>
[TestFixture]
public sealed class DenseConvolutionTests
{
    [TestCase(3, 1, 5)]
    [TestCase(3, 2, 4)]
    [TestCase(5, 3, 6)]
    public void PaddedConvolutionEqualsSubmanifoldConvolutionOnAFullyActiveGrid(int filter, int channels, int side)
    {
        SpatialSize size = SpatialSize.Cube(2, side);
        SubmanifoldConvolution sparse = new(2, channels, 4, filter, seed: 3);
        DenseConvolution dense = new(2, channels, 4, filter, seed: 3, padding: filter / 2);
        Initialization.Constant(sparse.Bias!, 0.2f);
        Initialization.Constant(dense.Bias!, 0.2f);
        Assert.That(dense.Weight.GetValues(), Is.EqualTo(sparse.Weight.GetValues()), "same seed, same weights");
        float[] x = FullyActive.RandomInput(size, 2, channels, filter + side);

        FullyActive.Result s = FullyActive.Sparse(sparse, x, size, 2, channels, 9), d = FullyActive.Dense(dense, x, size, 2, channels, 9);
        Assert.That(d.Output, Has.Length.EqualTo(2 * side * side * 4));
        Assert.That(d.Output, Is.EqualTo(s.Output).Within(1e-5f), "output");
        Assert.That(d.InputGradient, Is.EqualTo(s.InputGradient).Within(1e-5f), "input gradient");
        for (int i = 0; i < s.ParameterGradients.Length; i++)
            Assert.That(d.ParameterGradients[i], Is.EqualTo(s.ParameterGradients[i]).Within(1e-4f), $"parameter gradient {i}");
    }

    [Test]
    public void PaddedBorderSitesSeeZeros()
    {
        // A 1-channel 3x3 all-ones filter on an all-ones 3x3 grid, padded by 1: each output counts its neighbours inside.
        DenseConvolution conv = new(2, 1, 1, 3, bias: false, padding: 1);
        conv.Weight.SetValues(Enumerable.Repeat(1f, 9).ToArray());
        SpatialSize size = SpatialSize.Cube(2, 3);
        float[] y = FullyActive.Dense(conv, Enumerable.Repeat(1f, 9).ToArray(), size, 1, 1, 0).Output;
        Assert.That(y, Is.EqualTo(new float[] { 4, 6, 4, 6, 9, 6, 4, 6, 4 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DenseConvolution(2, 1, 1, 3, padding: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DenseConvolution(2, 1, 1, 3, padding: -1));
    }
}
