using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Dense;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Dense;

/// <summary>Dense batch normalisation is the sparse one on a fully active grid, in training and evaluation mode.</summary>
[TestFixture]
public sealed class DenseBatchNormalizationTests
{
    [TestCase(true)]
    [TestCase(false)]
    public void EqualsSparseBatchNormalizationOnAFullyActiveGrid(bool training)
    {
        SpatialSize size = SpatialSize.Cube(2, 4);
        BatchNormalization sparse = new(3);
        DenseBatchNormalization dense = new(3);
        float[] gamma = [0.5f, 1.5f, -1f], beta = [0.1f, -0.2f, 0.3f];
        foreach (Module m in new Module[] { sparse, dense })
        {
            (string _, Parameter w) = m.NamedParameters().Single(p => p.Name == "weight");
            (string _, Parameter b) = m.NamedParameters().Single(p => p.Name == "bias");
            w.SetValues(gamma);
            b.SetValues(beta);
            m.Train(training);
        }
        float[] x = FullyActive.RandomInput(size, 2, 3, 5).Select(v => 3 * v + 1).ToArray();

        FullyActive.Result s = FullyActive.Sparse(sparse, x, size, 2, 3, 8), d = FullyActive.Dense(dense, x, size, 2, 3, 8);
        Assert.That(d.Output, Is.EqualTo(s.Output).Within(1e-5f), "output");
        Assert.That(d.InputGradient, Is.EqualTo(s.InputGradient).Within(1e-5f), "input gradient");
        Assert.That(d.ParameterGradients[0], Is.EqualTo(s.ParameterGradients[0]).Within(1e-4f), "gamma gradient");
        Assert.That(d.ParameterGradients[1], Is.EqualTo(s.ParameterGradients[1]).Within(1e-4f), "beta gradient");
        Assert.That(dense.RunningMean, Is.EqualTo(sparse.RunningMean).Within(1e-6f), "running mean");
        Assert.That(dense.RunningVariance, Is.EqualTo(sparse.RunningVariance).Within(1e-6f), "running variance");
        if (training)
            Assert.That(dense.RunningMean, Is.Not.EqualTo(new float[3]), "training updates the running statistics");
    }

    [Test]
    public void NormalisesEachChannelOverEverySiteAndSample()
    {
        DenseBatchNormalization bn = new(1);
        float[] y = FullyActive.Dense(bn, [1, 2, 3, 4, 5, 6, 7, 8], SpatialSize.Cube(2, 2), 2, 1, 0).Output;
        Assert.That(y.Average(), Is.EqualTo(0).Within(1e-6));
        Assert.That(y.Select(v => v * v).Average(), Is.EqualTo(1).Within(1e-3));
        Assert.Throws<ArgumentException>(() => FullyActive.Dense(bn, new float[8], SpatialSize.Cube(2, 2), 1, 2, 0));
    }
}
