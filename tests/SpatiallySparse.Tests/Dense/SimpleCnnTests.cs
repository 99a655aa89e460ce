using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Dense;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Dense;

/// <summary>
/// The plain CNN against an independent composition: on a fully active grid its 'same' convolutions are
/// submanifold convolutions and its pooling is active-site pooling, so the sparse chain built from the library's
/// sparse layers with the same weights must give the same logits, input gradient and parameter gradients.
/// </summary>
[TestFixture]
public sealed class SimpleCnnTests
{
    [TestCase(2, 8, 0f)]
    [TestCase(2, 8, 1f / 3)]
    [TestCase(3, 4, 0.1f)]
    public void EqualsTheSparseChainOnAFullyActiveGrid(int dimension, int side, float slope)
    {
        SimpleCnnOptions options = new() { Dimension = dimension, InputSide = side, InputChannels = 2, Widths = [3, 4], Classes = 5, Slope = slope, Seed = 11 };
        Sequential dense = DenseNetworks.SimpleCnn(options);
        Sequential sparse = new(
            new SubmanifoldConvolution(dimension, 2, 3, 3, seed: 1), new LeakyRelu(slope), new MaxPooling(dimension, 2, 2, includeGround: false),
            new SubmanifoldConvolution(dimension, 3, 4, 3, seed: 2), new LeakyRelu(slope), new MaxPooling(dimension, 2, 2, includeGround: false),
            new SparseToDense(), new Linear(4 * (int)Math.Pow(side / 4, dimension), 5, seed: 3));
        foreach ((Parameter d, Parameter s) in dense.Parameters().Zip(sparse.Parameters(), (d, s) => (d, s)))
            s.SetValues(d.Value.ToArray());
        SpatialSize size = SpatialSize.Cube(dimension, side);
        float[] input = FullyActive.RandomInput(size, batch: 2, channels: 2, seed: 5);
        FullyActive.Result a = FullyActive.Dense(dense, input, size, 2, 2, projectionSeed: 7);
        FullyActive.Result b = FullyActive.Sparse(sparse, input, size, 2, 2, projectionSeed: 7);
        Assert.That(a.Output, Is.EqualTo(b.Output).Within(1e-4f), "logits");
        Assert.That(a.Output.Max(Math.Abs), Is.GreaterThan(1e-2f), "vanishing logits would prove nothing");
        Assert.That(a.InputGradient, Is.EqualTo(b.InputGradient).Within(1e-4f), "input gradient");
        for (int p = 0; p < a.ParameterGradients.Length; p++)
            Assert.That(a.ParameterGradients[p], Is.EqualTo(b.ParameterGradients[p]).Within(1e-4f), $"gradient of parameter {p}");
    }

    [Test]
    public void BadSettingsNameTheSettingAndTheRange()
    {
        Assert.That(() => DenseNetworks.SimpleCnn(new SimpleCnnOptions { InputSide = 30 }),
            Throws.ArgumentException.With.Message.Contains("InputSide 30").And.Message.Contains("multiple of 2^3 (8)"));
        Assert.That(() => DenseNetworks.SimpleCnn(new SimpleCnnOptions { Widths = [] }), Throws.ArgumentException.With.Message.Contains("1 to 30 widths"));
        // 33 levels: C# shifts wrap at 32, so 32 >> 33 << 33 == 32 once slipped past the side check.
        Assert.That(() => DenseNetworks.SimpleCnn(new SimpleCnnOptions { Widths = [.. Enumerable.Repeat(1, 33)] }),
            Throws.ArgumentException.With.Message.Contains("1 to 30 widths").And.Message.Contains("got 33:"));
        Assert.That(() => DenseNetworks.SimpleCnn(new SimpleCnnOptions { Classes = 0 }), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void TheDefaultIsThreeLevelsOnAThirtyTwoPixelDigit()
    {
        Sequential net = DenseNetworks.SimpleCnn(new SimpleCnnOptions());
        Assert.That(net.Parameters().Sum(p => (long)p.Value.Rows * p.Value.Columns),
            Is.EqualTo(9 * 1 * 32 + 32 + 9 * 32 * 64 + 64 + 9 * 64 * 128 + 128 + 128 * 16 * 10 + 10));
    }
}
