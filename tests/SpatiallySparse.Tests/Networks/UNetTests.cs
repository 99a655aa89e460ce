using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Tests.Autograd;
using SpatiallySparse.Tests.Dense;

namespace SpatiallySparse.Tests.Networks;

/// <summary>
/// The submanifold U-Net: gradients by finite differences (both joins, plain and residual blocks), the sparse net
/// against a dense evaluation on a fully active grid, and the decoder landing on the encoder's sites.
/// </summary>
[TestFixture]
public sealed class UNetTests
{
    [TestCase(UNetJoin.Concatenate, false)]
    [TestCase(UNetJoin.Add, false)]
    [TestCase(UNetJoin.Concatenate, true)]
    public void GradientsAgreeWithFiniteDifferences(UNetJoin join, bool residualBlocks)
    {
        // Leaky activations, as in the other gradient checks: a ReLU kink crossed by a perturbation would blur the check.
        Sequential<SparseTensor, SparseTensor> net = UNet.Create(Options(2, join, residualBlocks, [2, 3]) with { Leakiness = 1f / 3f });
        GradCheck.Randomize(net, seed: 5);
        PointBatch points = new(new SpatialSize(8, 8), batchSize: 2, channels: 2, pointsPerSample: 14, seed: 41);
        GradCheck.AssertGradients(points, (x, tape) => net.Forward(x, tape), net.NamedParameters());
    }

    [TestCase(UNetJoin.Concatenate, false)]
    [TestCase(UNetJoin.Add, true)]
    public void SparseEqualsDenseOnAFullyActiveGrid(UNetJoin join, bool residualBlocks)
    {
        // Three levels on 4x4x4 (4 -> 2 -> 1): every site active, so submanifold convolutions are "same" dense ones
        // and the deconvolutions return onto the whole grid; batch norm statistics cover every site in both.
        SpatialSize size = SpatialSize.Cube(3, 4);
        Sequential<SparseTensor, SparseTensor> net = UNet.Create(Options(3, join, residualBlocks, [2, 3, 4]) with { Classes = 3 });
        GradCheck.Randomize(net, seed: 9);
        float[] input = FullyActive.RandomInput(size, batch: 2, channels: 2, seed: 3);
        float[] sparse = FullyActive.Sparse(net, input, size, 2, 2, projectionSeed: 1).Output;
        DenseModuleReference.Grid dense = DenseModuleReference.Run(net, new(size, 2, 2, [.. input.Select(v => (double)v)]));
        Assert.That(sparse, Has.Length.EqualTo(dense.Values.Length));
        for (int i = 0; i < sparse.Length; i++)
            Assert.That(sparse[i], Is.EqualTo(dense.Values[i]).Within(2e-3), $"output element {i}");
        Assert.That(dense.Values.Max(Math.Abs), Is.GreaterThan(0.1), "a vanishing output would prove nothing");
    }

    [TestCase(UNetJoin.Concatenate, false)]
    [TestCase(UNetJoin.Add, true)]
    public void BuildGeometryBuildsEveryRulebookTheStepUses(UNetJoin join, bool residualBlocks)
    {
        // A loader's workers build a batch's geometry with BuildGeometry; the U-Net's levels are nested chains and
        // skip connections, and the step must find every rulebook already there (none built on the training thread).
        Sequential<SparseTensor, SparseTensor> net = UNet.Create(Options(3, join, residualBlocks, [2, 3, 4]) with { Classes = 3 });
        PointBatch points = new(SpatialSize.Cube(3, 8), batchSize: 2, channels: 2, pointsPerSample: 20, seed: 8);
        using Tape tape = new();
        SparseTensor x = points.InputLayer().Forward(points.ToInput(points.Features), CpuBackend.Shared, tape);
        long pairs = net.BuildGeometry(x);
        int prebuilt = x.Metadata.RuleBookCount;
        SparseTensor y = net.Forward(x, tape);
        SiteSoftmaxCrossEntropy.Compute(y, new int[y.ActiveCount], tape, predictions: []);
        tape.Backward();
        // Three levels: a submanifold rulebook per level, a strided convolution and a deconvolution per level change.
        Assert.That(prebuilt, Is.EqualTo(3 + 2 + 2));
        Assert.That(x.Metadata.RuleBookCount, Is.EqualTo(prebuilt));
        Assert.That(pairs, Is.GreaterThan(0));
    }

    [Test]
    public void OutputLiesOnTheInputSites()
    {
        Sequential<SparseTensor, SparseTensor> net = UNet.Create(Options(3, UNetJoin.Concatenate, false, [2, 3, 4]) with { Classes = 5 });
        PointBatch points = new(SpatialSize.Cube(3, 8), batchSize: 2, channels: 2, pointsPerSample: 20, seed: 8);
        using Tape tape = new();
        SparseTensor x = points.InputLayer().Forward(points.ToInput(points.Features), CpuBackend.Shared, tape);
        SparseTensor y = net.Forward(x, tape);
        Assert.That(y.Grid, Is.SameAs(x.Grid));
        Assert.That(y.Channels, Is.EqualTo(5));
    }

    [Test]
    public void BadOptionsAreRefusedByName()
    {
        Assert.That(() => UNet.Create(new UNetOptions { Widths = [] }), Throws.ArgumentException.With.Message.Contains("at least one level"));
        Assert.That(() => UNet.Create(new UNetOptions { Widths = [4, 0] }), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Width 0 of level 1"));
        Assert.That(() => UNet.Create(new UNetOptions { Repetitions = 0 }), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Repetitions 0"));
    }

    private static UNetOptions Options(int dimension, UNetJoin join, bool residualBlocks, int[] widths) => new()
    {
        Dimension = dimension,
        InputChannels = 2,
        Widths = widths,
        Join = join,
        ResidualBlocks = residualBlocks,
        Seed = 17,
    };
}
