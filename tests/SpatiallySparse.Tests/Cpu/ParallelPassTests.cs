using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Cpu;

/// <summary>
/// The memory-bound passes split across the worker pool (activations by element chunks, max pooling by whole
/// samples) give the single-threaded bits, at sizes large enough to be split.
/// </summary>
[TestFixture]
public sealed class ParallelPassTests
{
    private const int Channels = 48;

    [Test]
    public void MaxPoolingGivesTheSameBitsOnOneAndTwoThreads([Values] bool includeGround)
    {
        float[][] one = MaxPool(new CpuBackend(1), includeGround), two = MaxPool(new CpuBackend(2), includeGround);
        for (int k = 0; k < one.Length; k++)
            Assert.That(two[k], Is.EqualTo(one[k]), $"output {k}");
        Assert.That(one[1].Count(v => v != 0), Is.GreaterThan(one[1].Length / 10), "gradients reach the inputs");
        Assert.That(one[2].Any(v => v != 0), Is.EqualTo(includeGround), "the ground state wins some windows only when included");
    }

    [Test]
    public void LeakyReluAndFusedConvolutionGiveTheSameBitsOnOneAndTwoThreads()
    {
        float[][] one = Activations(new CpuBackend(1)), two = Activations(new CpuBackend(2));
        for (int k = 0; k < one.Length; k++)
            Assert.That(two[k], Is.EqualTo(one[k]), $"output {k}");
    }

    [Test]
    public void CopiesSumsAndPerSamplePassesGiveTheSameBitsOnOneAndTwoThreads()
    {
        float[][] one = PerSample(new CpuBackend(1)), two = PerSample(new CpuBackend(2));
        for (int k = 0; k < one.Length; k++)
            Assert.That(two[k], Is.EqualTo(one[k]), $"output {k}");
    }

    private static float[][] PerSample(CpuBackend be)
    {
        using Tape tape = new();
        SparseTensor x = Grid(be, tape, out Random random);
        using FeatureMatrix rows = Random(be, x.ActiveCount, random), copy = be.Allocate(x.ActiveCount, Channels);
        using FeatureMatrix perSample = Random(be, x.BatchSize, random), sums = Random(be, x.BatchSize, random);
        be.Copy(rows, copy);
        be.Add(rows, copy, 0.75f);
        be.AddBySample(perSample, x.Grid, copy, -1f);
        be.SumBySample(copy, x.Grid, sums, 0.5f);
        return [copy.ToArray(), sums.ToArray()];
    }

    /// <summary>Overlapping 3x3 windows, stride 2, 24 samples: every output's window reads its neighbours' inputs.</summary>
    private static float[][] MaxPool(CpuBackend be, bool includeGround)
    {
        using Tape tape = new();
        SparseTensor x = Grid(be, tape, out Random random);
        (SparseGrid outGrid, RuleBook rules) = x.Metadata.GetConvolutionRules(x.SpatialSize, SpatialSize.Cube(2, 3), SpatialSize.Cube(2, 2));
        using FeatureMatrix features = Random(be, x.ActiveCount, random), ground = Random(be, x.BatchSize, random, 0.2f);
        using FeatureMatrix y = be.Allocate(outGrid.ActiveCount, Channels), dy = Random(be, outGrid.ActiveCount, random);
        using FeatureMatrix dx = be.Allocate(x.ActiveCount, Channels), dg = be.Allocate(x.BatchSize, Channels);
        be.MaxPoolForward(features, ground, rules, outGrid, includeGround, y);
        be.MaxPoolBackward(features, ground, rules, outGrid, includeGround, y, dy, dx, dg);
        return [y.ToArray(), dx.ToArray(), dg.ToArray()];
    }

    private static float[][] Activations(CpuBackend be)
    {
        using Tape tape = new();
        SparseTensor x = Grid(be, tape, out Random random);
        (SparseGrid outGrid, RuleBook rules) = x.Metadata.GetConvolutionRules(x.SpatialSize, SpatialSize.Cube(2, 2), SpatialSize.Cube(2, 1));
        using FeatureMatrix features = Random(be, x.ActiveCount, random), y = be.Allocate(x.ActiveCount, Channels);
        using FeatureMatrix dy = Random(be, x.ActiveCount, random), dx = Random(be, x.ActiveCount, random);
        using FeatureMatrix w = Random(be, 4 * Channels, random), conv = be.Allocate(outGrid.ActiveCount, Channels);
        be.LeakyReluForward(features, y, 0.2f);
        be.LeakyReluBackward(features, dy, dx, 0.2f);
        be.ConvolutionForwardFrom(null, outGrid, features, w, rules, conv, 0.1f);
        be.LeakyReluGradientInPlace(y, dy, 0.2f);
        return [y.ToArray(), dx.ToArray(), conv.ToArray(), dy.ToArray()];
    }

    private static SparseTensor Grid(CpuBackend be, Tape tape, out Random random)
    {
        random = new Random(21);
        SparseInput points = new(24, 2, 1);
        for (int b = 0; b < 24; b++)
            for (int i = 0; i < 300; i++)
                points.Add(b, [random.Next(41), random.Next(41)], 1f);
        return new InputLayer(new SpatialSize(41, 41), DuplicateMode.Sum).Forward(points, be, tape);
    }

    private static FeatureMatrix Random(ISparseBackend be, int rows, Random random, float ground = 0f)
    {
        FeatureMatrix m = be.Allocate(rows, Channels);
        // Few distinct values: windows tie, and a ground of 0.2 beats part of them.
        be.Upload([.. Enumerable.Range(0, rows * Channels).Select(_ => ground != 0 ? ground : random.Next(8) * 0.125f - 0.5f)], m);
        return m;
    }
}
