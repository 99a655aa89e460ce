using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Tests.Autograd;

namespace SpatiallySparse.Tests.Layers;

/// <summary>Residual sums: values and ground states, gradients (input ground included), shortcuts and refused joins.</summary>
[TestFixture]
public sealed class ResidualTests
{
    [Test]
    public void AddsFeaturesAndGroundStates()
    {
        SubmanifoldConvolution conv = new(2, 2, 2, 3, seed: 3);
        GradCheck.Randomize(conv, seed: 1);
        Residual residual = new(conv);
        PointBatch points = Points();
        using Tape tape = new(recordGradients: false);
        SparseTensor x = WithGround(points, tape);
        SparseTensor inner = conv.Forward(x, tape);
        SparseTensor y = residual.Forward(x, tape);
        float[] expected = [.. x.GetFeatures().Zip(inner.GetFeatures(), (a, b) => a + b)];
        float[] expectedGround = [.. x.GetGround().Zip(inner.GetGround(), (a, b) => a + b)];
        Assert.That(y.GetFeatures(), Is.EqualTo(expected).Within(1e-6f));
        Assert.That(y.GetGround(), Is.EqualTo(expectedGround).Within(1e-6f));
        Assert.That(y.GetGround().Max(MathF.Abs), Is.GreaterThan(0.05f), "the ground sum should be non-trivial");
    }

    [Test]
    public void GradientsWithIdentityShortcut()
    {
        Residual residual = new(new Sequential(new SubmanifoldConvolution(2, 2, 2, 3, seed: 4), new LeakyRelu(1f / 3f)));
        GradCheck.Randomize(residual, seed: 2);
        GradCheck.AssertGradients(Points(), (x, tape) => residual.Forward(x, tape), residual.NamedParameters(), new GradCheckOptions { InputGround = true });
    }

    [Test]
    public void GradientsWithNetworkInNetworkShortcut()
    {
        Residual block = ResNetBlock.Create(2, inputChannels: 2, outputChannels: 3, seed: 6);
        Assert.That(block.Shortcut, Is.InstanceOf<NetworkInNetwork>());
        GradCheck.Randomize(block, seed: 3);
        GradCheck.AssertGradients(Points(), (x, tape) => block.Forward(x, tape), block.NamedParameters(), new GradCheckOptions { InputGround = true });
    }

    [Test]
    public void ResNetBlockOfEqualWidthsHasIdentityShortcut()
    {
        Residual block = ResNetBlock.Create(3, 4, 4, seed: 1);
        Assert.That(block.Shortcut, Is.Null);
        Assert.That(block.Parameters().Count(), Is.EqualTo(6), "two batch norms (2 each) and two convolutions without bias");
    }

    [Test]
    public void RefusesBranchesOnOtherSites()
    {
        Residual residual = new(new Convolution(2, 2, 2, filterSize: 2, stride: 2, seed: 1));
        using Tape tape = new();
        SparseTensor x = Input(Points(), tape);
        Assert.That(() => residual.Forward(x, tape), Throws.ArgumentException.With.Message.Contains("same sites"));
    }

    [Test]
    public void RefusesUnequalWidths()
    {
        Residual residual = new(new SubmanifoldConvolution(2, 2, 3, 3, seed: 1));
        using Tape tape = new();
        SparseTensor x = Input(Points(), tape);
        Assert.That(() => residual.Forward(x, tape), Throws.ArgumentException.With.Message.Contains("NetworkInNetwork shortcut"));
    }

    [Test]
    public void RecycledStepsRepeatTheSameGradients()
    {
        // A Sequential of library modules recycles its intermediates; the residual consumes its input twice, so
        // recycling it early would corrupt the second step. Three steps on one tape, reset between, must agree.
        Sequential net = new(new SubmanifoldConvolution(2, 2, 3, 3, seed: 1), new LeakyRelu(0.1f),
            ResNetBlock.Create(2, 3, 3, seed: 2), new SubmanifoldConvolution(2, 3, 2, 3, seed: 3));
        PointBatch points = Points();
        using Tape tape = new();
        float[]? first = null;
        for (int step = 0; step < 3; step++)
        {
            net.ZeroGrad();
            SparseTensor y = (SparseTensor)net.Forward(Input(points, tape), tape);
            CpuBackend.Shared.Fill(y.GradOrCreate(), 1f);
            tape.Backward();
            float[] gradients = [.. net.Parameters().SelectMany(p => p.Grad.ToArray())];
            first ??= gradients;
            Assert.That(gradients, Is.EqualTo(first), $"step {step}");
            tape.Reset();
        }
    }

    private static PointBatch Points() => new(new SpatialSize(6, 6), batchSize: 2, channels: 2, pointsPerSample: 9, seed: 77);

    private static SparseTensor Input(PointBatch points, Tape tape) =>
        points.InputLayer().Forward(points.ToInput(points.Features), CpuBackend.Shared, tape);

    private static SparseTensor WithGround(PointBatch points, Tape tape) =>
        GradCheck.Input(points, points.ToInput(points.Features), [0.3f, -0.2f, 0.5f, 0.1f], tape);
}
