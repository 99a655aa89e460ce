using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Backends.Cpu.Simd;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Cpu;

/// <summary>
/// A convolution into a fresh output (rows started from a per-sample row or zero in the kernel's own pass), and
/// its backward into a fresh input gradient, equal initialising first and accumulating, whatever the buffer held.
/// </summary>
[TestFixture]
public sealed class FreshOutputTests
{
    private static IEnumerable<SimdLevel> Levels() => SimdLevels.Supported();

    [Test]
    public void EqualsInitialiseThenAccumulate([ValueSource(nameof(Levels))] SimdLevel level, [Values] bool withStart,
        [Values(null, 0.25f)] float? slope, [Values(1, 7, 70)] int cin)
    {
        CpuBackend be = new(2, level);
        using Tape tape = new();
        Random random = new(cin);
        (SparseTensor x, SparseGrid grid, RuleBook rules) = Layer(be, tape, random, filter: 3);
        const int Cout = 40;
        using FeatureMatrix input = Random(be, x.ActiveCount, cin, random), weights = Random(be, 9 * cin, Cout, random);
        using FeatureMatrix? start = withStart ? Random(be, 3, Cout, random) : null;
        using FeatureMatrix expected = be.Allocate(grid.ActiveCount, Cout), actual = be.Allocate(grid.ActiveCount, Cout);
        if (start is not null)
            be.AddBySample(start, grid, expected);
        be.ConvolutionForward(input, weights, rules, expected);
        if (slope is float s)
            be.LeakyReluForward(expected, expected, s);
        be.Fill(actual, float.NaN);  // stale contents must not leak into the result
        be.ConvolutionForwardFrom(start, grid, input, weights, rules, actual, slope);
        Assert.That(actual.ToArray(), Is.EqualTo(expected.ToArray()));
    }

    [Test]
    public void BackwardOverwriteEqualsAccumulatingIntoZeros([ValueSource(nameof(Levels))] SimdLevel level, [Values(1, 70)] int cin)
    {
        CpuBackend be = new(2, level);
        using Tape tape = new();
        Random random = new(cin + 1);
        (SparseTensor x, SparseGrid grid, RuleBook rules) = Layer(be, tape, random, filter: 2);
        const int Cout = 33;
        using FeatureMatrix input = Random(be, x.ActiveCount, cin, random), weights = Random(be, 4 * cin, Cout, random);
        using FeatureMatrix gradOutput = Random(be, grid.ActiveCount, Cout, random);
        using FeatureMatrix expected = be.Allocate(x.ActiveCount, cin), actual = be.Allocate(x.ActiveCount, cin);
        using FeatureMatrix dw1 = be.Allocate(4 * cin, Cout), dw2 = be.Allocate(4 * cin, Cout);
        be.ConvolutionBackward(input, gradOutput, weights, rules, expected, dw1);
        be.Fill(actual, float.NaN);
        be.ConvolutionBackward(input, gradOutput, weights, rules, actual, dw2, overwriteGradInput: true);
        Assert.That(actual.ToArray(), Is.EqualTo(expected.ToArray()), "input gradient");
        Assert.That(dw2.ToArray(), Is.EqualTo(dw1.ToArray()), "the weight gradient still accumulates as before");
    }

    [Test]
    public void MaxPoolBackwardAssignEqualsAccumulatingIntoZeros([ValueSource(nameof(Levels))] SimdLevel level, [Values] bool includeGround,
        [Values(5, 40)] int channels)
    {
        CpuBackend be = new(2, level);
        using Tape tape = new();
        Random random = new(channels);
        (SparseTensor x, SparseGrid grid, RuleBook rules) = Layer(be, tape, random, filter: 2, stride: 2);
        Assert.That(rules.PairCount, Is.EqualTo(rules.InputRows), "2x2/2 windows tile the grid");
        // Few distinct values: windows tie, and the ground state (0.1) wins some of them.
        using FeatureMatrix input = Random(be, x.ActiveCount, channels, random, levels: 4), ground = be.Allocate(3, channels);
        be.Fill(ground, 0.1f);
        using FeatureMatrix y = be.Allocate(grid.ActiveCount, channels), dy = Random(be, grid.ActiveCount, channels, random);
        using FeatureMatrix expected = be.Allocate(x.ActiveCount, channels), actual = be.Allocate(x.ActiveCount, channels);
        using FeatureMatrix dg1 = be.Allocate(3, channels), dg2 = be.Allocate(3, channels);
        be.MaxPoolForward(input, ground, rules, grid, includeGround, y);
        be.MaxPoolBackward(input, ground, rules, grid, includeGround, y, dy, expected, dg1);
        be.Fill(actual, float.NaN);
        be.MaxPoolBackward(input, ground, rules, grid, includeGround, y, dy, actual, dg2, overwriteGradInput: true);
        Assert.That(actual.ToArray(), Is.EqualTo(expected.ToArray()), "input gradient");
        Assert.That(dg2.ToArray(), Is.EqualTo(dg1.ToArray()), "ground gradient");
    }

    [Test]
    public void RejectsAStartOfTheWrongShape()
    {
        CpuBackend be = CpuBackend.Shared;
        using Tape tape = new();
        SparseInput points = new(2, 2, 1);
        points.Add(0, [1, 1], 1f);
        points.Add(1, [2, 2], 1f);
        SparseTensor x = new InputLayer(new SpatialSize(4, 4)).Forward(points, be, tape);
        (SparseGrid grid, RuleBook rules) = x.Metadata.GetConvolutionRules(x.SpatialSize, SpatialSize.Cube(2, 2), SpatialSize.Cube(2, 1));
        using FeatureMatrix w = be.Allocate(4, 3), y = be.Allocate(grid.ActiveCount, 3), wrong = be.Allocate(3, 3);
        ArgumentException e = Assert.Throws<ArgumentException>(() => be.ConvolutionForwardFrom(wrong, grid, x.Features, w, rules, y))!;
        Assert.That(e.Message, Does.Contain("per-sample start"));
    }

    /// <summary>Three samples of 200 random sites on 30 x 30 and the valid convolution rules of the given filter.</summary>
    private static (SparseTensor X, SparseGrid Grid, RuleBook Rules) Layer(CpuBackend be, Tape tape, Random random, int filter, int stride = 1)
    {
        SparseInput points = new(3, 2, 1);
        for (int i = 0; i < 600; i++)
            points.Add(i % 3, [random.Next(30), random.Next(30)], 1f);
        SparseTensor x = new InputLayer(new SpatialSize(30, 30), DuplicateMode.Sum).Forward(points, be, tape);
        (SparseGrid grid, RuleBook rules) = x.Metadata.GetConvolutionRules(x.SpatialSize, SpatialSize.Cube(2, filter), SpatialSize.Cube(2, stride));
        return (x, grid, rules);
    }

    /// <summary>Uniform in [-0.5, 0.5), or one of <paramref name="levels"/> evenly spaced values there.</summary>
    private static FeatureMatrix Random(ISparseBackend be, int rows, int columns, Random random, int levels = 0)
    {
        FeatureMatrix m = be.Allocate(rows, columns);
        be.Upload([.. Enumerable.Range(0, rows * columns).Select(_ => levels > 0 ? (float)random.Next(levels) / levels - 0.5f : random.NextSingle() - 0.5f)], m);
        return m;
    }
}
