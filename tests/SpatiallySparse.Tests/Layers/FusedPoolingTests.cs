using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Backends.Cpu.Simd;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;
using SpatiallySparse.Tests.Autograd;

namespace SpatiallySparse.Tests.Layers;

/// <summary>
/// A network's first convolution, leaky ReLU and max pooling run as one op inside <see cref="Sequential"/>
/// (<see cref="IFusedConvolutionPoolingBackend.ConvolutionPoolForward"/>): the values of the three layers one after the other,
/// the same gradients up to summation order, for every SIMD level (19 channels: a 16-lane block, then 8-lane or
/// scalar tails), both ground rules of the pooling and both slopes.
/// </summary>
[TestFixture]
public sealed class FusedPoolingTests
{
    private static IEnumerable<SimdLevel> Levels() => SimdLevels.Supported();

    [Test]
    public void FusedBlockEqualsTheLayersOneByOne([Values(1, 3)] int cin, [Values(0f, 0.2f)] float slope, [Values] bool includeGround,
        [ValueSource(nameof(Levels))] SimdLevel level)
    {
        Result unfused = Run(cin, slope, includeGround, level, threads: 2, fuse: false);
        Result fused = Run(cin, slope, includeGround, level, threads: 2, fuse: true);
        Assert.That(fused.Features, Is.EqualTo(unfused.Features).Within(1e-6f), "output features");
        Assert.That(fused.Ground, Is.EqualTo(unfused.Ground), "output ground state");
        Assert.That(fused.Gradients.Length, Is.EqualTo(unfused.Gradients.Length));
        for (int i = 0; i < fused.Gradients.Length; i++)
            Assert.That(fused.Gradients[i], Is.EqualTo(unfused.Gradients[i]).Within(1e-5f * Math.Max(1f, Math.Abs(unfused.Gradients[i]))), $"gradient {i}");
        Assert.That(unfused.Gradients.Count(g => g != 0), Is.GreaterThan(unfused.Gradients.Length / 2), "gradients reach most parameters");
        Assert.That(fused.Ops, Is.EqualTo(unfused.Ops - 1), "the first block ran as one op");
    }

    [Test]
    public void FusedBlockGivesTheSameBitsOnOneAndTwoThreads([ValueSource(nameof(Levels))] SimdLevel level)
    {
        // 16 samples of ~200 sites: several chunks of whole samples, well over the split size (2 samples were one chunk).
        Result one = Run(cin: 2, slope: 0.1f, includeGround: true, level, threads: 1, fuse: true, batch: 16);
        List<(string Job, int Items, int Workers)> splits = [];
        ParallelJob.SplitObserver = (job, items, workers) => splits.Add((job.GetType().Name + "<" + job.GetType().GetGenericArguments().FirstOrDefault()?.Name + ">", items, workers));
        Result two;
        try
        {
            two = Run(cin: 2, slope: 0.1f, includeGround: true, level, threads: 2, fuse: true, batch: 16);
        }
        finally
        {
            ParallelJob.SplitObserver = null;
        }
        Assert.That(splits.Where(s => s.Job.Contains("ConvolutionPool", StringComparison.Ordinal)).Select(s => s.Items),
            Has.Some.GreaterThanOrEqualTo(4), "the fused forward and backward were split over 2 workers: " + string.Join(", ", splits));
        Assert.That(two.Features, Is.EqualTo(one.Features));
        Assert.That(two.Gradients, Is.EqualTo(one.Gradients));
    }

    [Test]
    public void OnlyAFirstBlockWithFewChannelsAndTilingWindowsIsFused()
    {
        Sequential net = new(new Convolution(2, 1, 8, 3), new LeakyRelu(), new MaxPooling(2, 2, 2), new Convolution(2, 8, 8, 2), new LeakyRelu(),
            new MaxPooling(2, 2, 2), new Convolution(2, 8, 8, 2), new LeakyRelu(), new MaxPooling(2, 3, 2));
        Assert.That(new[] { 0, 3, 6 }.Select(net.ModulesInStep), Is.EqualTo(new[] { 3, 2, 2 }), "8 input channels or overlapping windows: not fused");
        net.FusePooling = false;
        Assert.That(net.ModulesInStep(0), Is.EqualTo(2));
        net.FusePooling = true;
        net.FuseActivations = false;
        Assert.That(net.ModulesInStep(0), Is.EqualTo(1), "pooling fuses only with the fused activation");
    }

    [Test]
    public void AnInputThatNeedsAGradientRunsTheLayersOneByOne()
    {
        // The fused op gives the input no gradient, so such an input takes the unfused path, with the same results.
        Result unfused = Run(cin: 2, slope: 0f, includeGround: true, SimdLevels.Best, threads: 2, fuse: false, inputGradient: true);
        Result fused = Run(cin: 2, slope: 0f, includeGround: true, SimdLevels.Best, threads: 2, fuse: true, inputGradient: true);
        Assert.That(fused.Features, Is.EqualTo(unfused.Features));
        Assert.That(fused.Gradients, Is.EqualTo(unfused.Gradients));
        Assert.That(fused.Ops, Is.EqualTo(unfused.Ops));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void GradientCheckOfTheFusedBlock(bool includeGround)
    {
        Sequential net = new(new Convolution(2, 2, 5, 3, seed: 3), new LeakyRelu(0.1f), new MaxPooling(2, 2, 2, includeGround));
        GradCheck.Randomize(net, seed: 8);
        PointBatch points = new(new SpatialSize(10, 10), batchSize: 2, channels: 2, pointsPerSample: 7, seed: 41);
        GradCheck.AssertGradients(points, (x, tape) => net.Forward(x, tape), net.NamedParameters(), new GradCheckOptions { CheckInput = false });
    }

    [Test]
    public void BadShapesAreRejected()
    {
        IFusedConvolutionPoolingBackend cpu = CpuBackend.Shared;
        using Tape tape = new(recordGradients: false);
        SparseTensor x = new InputLayer(new SpatialSize(14, 14), DuplicateMode.Sum).Forward(Points(cin: 1, inputGradient: false), cpu, tape);
        (SparseGrid convGrid, RuleBook convRules) = x.Metadata.GetConvolutionRules(x.SpatialSize, SpatialSize.Cube(2, 3), SpatialSize.Cube(2, 1));
        (SparseGrid poolGrid, RuleBook poolRules) = x.Metadata.GetConvolutionRules(convGrid.Size, SpatialSize.Cube(2, 3), SpatialSize.Cube(2, 1));
        using FeatureMatrix w = cpu.Allocate(9, 4), start = cpu.Allocate(2, 4), ground = cpu.Allocate(2, 4), y = cpu.Allocate(poolGrid.ActiveCount, 4);
        ConvolutionPoolShape shape = new(convRules, convGrid, poolRules, poolGrid, true, 0f);
        Assert.That(() => cpu.ConvolutionPoolForward(x.Features, w, start, ground, shape, y, keepForBackward: false),
            Throws.ArgumentException.With.Message.Contains("tile"));
        Assert.That(() => cpu.ConvolutionPoolForward(x.Features, w, start, ground, shape with { LeakySlope = -1f }, y, keepForBackward: false),
            Throws.InstanceOf<ArgumentOutOfRangeException>());
        (SparseGrid tiledGrid, RuleBook tiledRules) = x.Metadata.GetConvolutionRules(convGrid.Size, SpatialSize.Cube(2, 2), SpatialSize.Cube(2, 2));
        ConvolutionPoolShape tiled = shape with { PoolRules = tiledRules, PoolGrid = tiledGrid };
        using FeatureMatrix wide = cpu.Allocate(9, 5), ty = cpu.Allocate(tiledGrid.ActiveCount, 4), shortStart = cpu.Allocate(1, 4);
        Assert.That(() => cpu.ConvolutionPoolForward(x.Features, wide, start, ground, tiled, ty, keepForBackward: false),
            Throws.ArgumentException.With.Message.Contains("weights"));
        Assert.That(() => cpu.ConvolutionPoolForward(x.Features, w, shortStart, ground, tiled, ty, keepForBackward: false),
            Throws.ArgumentException.With.Message.Contains("start"));
        Assert.That(() => cpu.ConvolutionPoolForward(x.Features, w, start, ground, tiled, y, keepForBackward: false),
            Throws.ArgumentException.With.Message.Contains("output rows"));
    }

    private sealed record Result(float[] Features, float[] Ground, float[] Gradients, int Ops);

    private static Result Run(int cin, float slope, bool includeGround, SimdLevel level, int threads, bool fuse, bool inputGradient = false, int batch = 2)
    {
        CpuBackend backend = new(threads, level);
        Sequential net = new(new Convolution(2, cin, 19, 3, seed: 1), new LeakyRelu(slope), new MaxPooling(2, 2, 2, includeGround),
            new Convolution(2, 19, 6, 2, seed: 2), new LeakyRelu(slope)) { FusePooling = fuse };
        net.To(backend);
        Random random = new(5);
        foreach (Parameter p in net.Parameters())
            p.SetValues([.. Enumerable.Range(0, p.Rows * p.Columns).Select(_ => random.NextSingle() - 0.5f)]);
        net.ZeroGrad();
        using Tape tape = new();
        int side = batch == 2 ? 14 : 40;
        SparseInput points = Points(cin, inputGradient, batch, side);
        SparseTensor y = (SparseTensor)net.Forward(new InputLayer(new SpatialSize(side, side), DuplicateMode.Sum).Forward(points, backend, tape), tape);
        SoftmaxCrossEntropy.Compute(new GlobalAveragePooling().Forward(y, tape), [.. Enumerable.Range(0, batch).Select(b => b % 2 == 0 ? 3 : 5)], tape);
        tape.Backward();
        float[] gradients = [.. net.Parameters().SelectMany(p => p.Grad.ToArray()), .. points.FeatureGradient ?? []];
        return new Result(y.GetFeatures(), y.GetGround(), gradients, tape.Count);
    }

    private static SparseInput Points(int cin, bool inputGradient, int batch = 2, int side = 14)
    {
        SparseInput points = new(batch, 2, cin) { RequiresGradient = inputGradient };
        Random random = new(9);
        for (int i = 0; i < (batch == 2 ? 50 : 200 * batch); i++)
            points.Add(i % batch, [random.Next(1, side - 1), random.Next(1, side - 1)], [.. Enumerable.Range(0, cin).Select(_ => random.NextSingle() - 0.3f)]);
        return points;
    }
}
