using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Dense;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Tests.Dense;

namespace SpatiallySparse.Tests.Networks;

[TestFixture]
public sealed class SparseVggTests
{
    [Test]
    public void DefaultNetworkIsTheAssameseNetOn95x95()
    {
        SparseVggOptions options = new();
        Assert.That(SparseVgg.InputSide(options), Is.EqualTo(95));
        Sequential net = SparseVgg.Create(options);
        Assert.That(net.OutputSpatialSize(SpatialSize.Cube(2, 95)), Is.EqualTo(SpatialSize.Cube(2, 1)));
        string[] layers = [.. net.Children.Select(m => m.ToString()!)];
        Assert.That(layers.Count(l => l.StartsWith("SubmanifoldConvolution", StringComparison.Ordinal)), Is.EqualTo(8));
        Assert.That(layers.Count(l => l == "MaxPooling 3x3/2x2"), Is.EqualTo(4));
        Assert.That(layers[^1], Is.EqualTo("Linear 64->183"));
        Assert.That(net.Children.OfType<MaxPooling>().All(p => !p.IncludeGround), Is.True, "VGG nets pool over active sites");
    }

    [Test]
    public void SparseNetTrainsOnACharacterLikeInputAndFitsItsGrid()
    {
        SparseVggOptions options = new() { Widths = [4, 4], FinalWidth = 8, FinalFilter = 3, Classes = 5, InputChannels = 1, Seed = 2 };
        int side = SparseVgg.InputSide(options);
        Assert.That(side, Is.EqualTo(15));
        Sequential net = SparseVgg.Create(options);
        SparseInput batch = new(2, 2, 1);
        for (int i = 2; i < 12; i++)
        {
            batch.Add(0, [i, 7], 1f);
            batch.Add(1, [7, i], 1f);
        }
        using Tape tape = new();
        DenseTensor logits = (DenseTensor)net.Forward(new InputLayer(SpatialSize.Cube(2, side)).Forward(batch, CpuBackend.Shared, tape), tape);
        Assert.That((logits.BatchSize, logits.Width), Is.EqualTo((2, 5)));
        LossResult loss = SoftmaxCrossEntropy.Compute(logits, [1, 3], tape);
        tape.Backward();
        Assert.That(float.IsFinite(loss.Value), Is.True);
        Assert.That(net.Parameters().First().Grad.ToArray().Any(g => g != 0f), Is.True, "the gradient reaches the first layer");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void DenseTwinHasTheSameParametersAndComputesTheSameOnAFullyActiveGrid(bool training)
    {
        SparseVggOptions options = new() { Widths = [3, 4], FinalWidth = 5, FinalFilter = 3, Classes = 4, InputChannels = 2, Seed = 11 };
        Sequential sparse = SparseVgg.Create(options), dense = DenseNetworks.SparseVgg(options);
        DenseDeepCNetTests.AssertSameParameters(sparse, dense);
        (string Name, Parameter P)[] s = [.. sparse.NamedParameters()];
        Assert.That(dense.NamedBuffers().Select(b => b.Name), Is.EqualTo(sparse.NamedBuffers().Select(b => b.Name)), "buffer names");
        sparse.Train(training);
        dense.Train(training);

        SpatialSize size = SpatialSize.Cube(2, SparseVgg.InputSide(options));
        float[] x = FullyActive.RandomInput(size, 2, 2, 4);
        FullyActive.Result rs = FullyActive.Sparse(sparse, x, size, 2, 2, 6), rd = FullyActive.Dense(dense, x, size, 2, 2, 6);
        Assert.That(rd.Output, Is.EqualTo(rs.Output).Within(1e-4f), "logits");
        Assert.That(rd.InputGradient, Is.EqualTo(rs.InputGradient).Within(1e-4f), "input gradient");
        for (int i = 0; i < s.Length; i++)
            Assert.That(rd.ParameterGradients[i], Is.EqualTo(rs.ParameterGradients[i]).Within(1e-3f), $"gradient of {s[i].Name}");
    }

    [Test]
    public void BadOptionsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => SparseVgg.Create(new SparseVggOptions { Widths = [] }));
        Assert.Throws<ArgumentException>(() => SparseVgg.Create(new SparseVggOptions { Widths = [8, 0] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => DenseNetworks.SparseVgg(new SparseVggOptions { Classes = 0 }));
    }
}
