using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Backends.Cpu.Simd;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Layers;

/// <summary>
/// A convolution followed by a leaky ReLU runs fused inside <see cref="Sequential"/>: the same values and
/// gradients as the two layers one after the other, for every convolution kind and SIMD level.
/// </summary>
[TestFixture]
public sealed class FusedActivationTests
{
    public enum Kind
    {
        Valid,
        Strided,
        Submanifold,
        Deconvolution,
    }

    private static IEnumerable<SimdLevel> Levels() => SimdLevels.Supported();

    [Test]
    public void FusedStepEqualsTheLayersOneByOne([Values] Kind kind, [Values(0f, 1f / 3)] float slope, [ValueSource(nameof(Levels))] SimdLevel level)
    {
        Result unfused = Run(kind, slope, level, fuse: false);
        Result fused = Run(kind, slope, level, fuse: true);
        Assert.That(fused.Features, Is.EqualTo(unfused.Features), "output features");
        Assert.That(fused.Ground, Is.EqualTo(unfused.Ground), "output ground state");
        Assert.That(fused.Gradients, Is.EqualTo(unfused.Gradients), "parameter and input gradients");
        Assert.That(unfused.Features.Any(v => v < 0) || slope == 0, Is.True, "the leaky part is exercised");
        Assert.That(unfused.Features.Any(v => v == 0) || slope > 0, Is.True, "the ReLU cuts something");
        Assert.That(unfused.Gradients.Count(g => g != 0), Is.GreaterThan(unfused.Gradients.Length / 2), "gradients reach most parameters");
    }

    [Test]
    public void OnlyConvolutionsBeforeANonNegativeSlopeAreFused()
    {
        Sequential net = new(new Convolution(2, 1, 2, 3), new LeakyRelu(-0.5f), new Convolution(2, 2, 2, 2), new LeakyRelu(0.1f),
            new MaxPooling(2, 2, 2), new LeakyRelu());
        Assert.That(Enumerable.Range(0, 6).Select(net.ModulesInStep), Is.EqualTo(new[] { 1, 1, 3, 1, 1, 1 }), "the second block takes its pooling too");
        net.FusePooling = false;
        Assert.That(net.ModulesInStep(2), Is.EqualTo(2));
        net.FuseActivations = false;
        Assert.That(net.ModulesInStep(2), Is.EqualTo(1));
    }

    [Test]
    public void FusedKernelsRejectANegativeSlope()
    {
        CpuBackend cpu = CpuBackend.Shared;
        using FeatureMatrix y = cpu.Allocate(2, 3), grad = cpu.Allocate(2, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => cpu.LeakyReluGradientInPlace(y, grad, -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => cpu.LeakyReluGradientInPlace(y, grad, float.NaN));
        using Tape tape = new();
        Assert.Throws<ArgumentOutOfRangeException>(() => new Convolution(2, 2, 2, 3).Forward(Input(cpu, tape), tape, -1f));
    }

    [Test]
    public void InPlaceGradientMasksByTheOutputSignAtEveryLength([ValueSource(nameof(Levels))] SimdLevel level, [Values(0f, 0.25f)] float slope)
    {
        CpuBackend cpu = new(1, level);
        Random random = new(4);
        for (int n = 1; n <= 70; n++)
        {
            float[] y = [.. Enumerable.Range(0, n).Select(i => i % 5 == 0 ? 0f : random.NextSingle() - 0.5f)];
            float[] g = [.. Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f)];
            using FeatureMatrix ym = cpu.Allocate(1, n), gm = cpu.Allocate(1, n);
            cpu.Upload(y, ym);
            cpu.Upload(g, gm);
            cpu.LeakyReluGradientInPlace(ym, gm, slope);
            Assert.That(gm.ToArray(), Is.EqualTo(y.Zip(g, (a, b) => a > 0 ? b : slope * b).ToArray()), $"length {n}");
        }
    }

    private sealed record Result(float[] Features, float[] Ground, float[] Gradients);

    private static Result Run(Kind kind, float slope, SimdLevel level, bool fuse)
    {
        CpuBackend backend = new(2, level);
        Sequential net = new(Make(kind, 2, 9, 1), new LeakyRelu(slope), Make(kind, 9, 17, 2), new LeakyRelu(slope)) { FuseActivations = fuse };
        net.To(backend);
        Random random = new(5);
        foreach (Parameter p in net.Parameters())
            p.SetValues([.. Enumerable.Range(0, p.Rows * p.Columns).Select(_ => random.NextSingle() - 0.5f)]);
        net.ZeroGrad();
        using Tape tape = new();
        SparseInput points = Points();
        SparseTensor y = (SparseTensor)net.Forward(new InputLayer(new SpatialSize(12, 12), DuplicateMode.Sum).Forward(points, backend, tape), tape);
        SoftmaxCrossEntropy.Compute(new GlobalAveragePooling().Forward(y, tape), [3, 11], tape);
        tape.Backward();
        float[] gradients = [.. net.Parameters().SelectMany(p => p.Grad.ToArray()), .. points.FeatureGradient!];
        return new Result(y.GetFeatures(), y.GetGround(), gradients);
    }

    private static SparseModule Make(Kind kind, int cin, int cout, int seed) => kind switch
    {
        Kind.Valid => new Convolution(2, cin, cout, 3, seed: seed),
        Kind.Strided => new Convolution(2, cin, cout, 2, 2, seed: seed),
        Kind.Submanifold => new SubmanifoldConvolution(2, cin, cout, 3, seed: seed),
        _ => new Deconvolution(2, cin, cout, 2, 2, seed: seed),
    };

    private static SparseInput Points()
    {
        SparseInput points = new(2, 2, 2) { RequiresGradient = true };
        Random random = new(9);
        for (int i = 0; i < 40; i++)
            points.Add(i % 2, [random.Next(3, 9), random.Next(3, 9)], [random.NextSingle(), random.NextSingle() - 0.5f]);
        return points;
    }

    private static SparseTensor Input(ISparseBackend backend, Tape tape) =>
        new InputLayer(new SpatialSize(12, 12), DuplicateMode.Sum).Forward(Points(), backend, tape);
}
