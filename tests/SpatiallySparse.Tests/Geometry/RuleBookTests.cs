using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Geometry;

[TestFixture]
public sealed class RuleBookTests
{
    private static SparseTensor Input(Tape tape, SpatialSize size, params int[][] sites)
    {
        SparseInput input = new(1, size.Dimension, 1);
        foreach (int[] s in sites)
            input.Add(0, s, 1f);
        return new InputLayer(size).Forward(input, CpuBackend.Shared, tape);
    }

    [Test]
    public void ValidConvolutionGrowsTheActiveSetByTheFilterWindow()
    {
        using Tape tape = new();
        SparseTensor x = Input(tape, new SpatialSize(10, 10), [5, 5]);
        (SparseGrid output, RuleBook rules) = x.Metadata.GetConvolutionRules(x.SpatialSize, SpatialSize.Cube(2, 3), SpatialSize.Cube(2, 1));
        Assert.That(output.Size, Is.EqualTo(new SpatialSize(8, 8)));
        // The single active input (5,5) lies in the windows of outputs (3..5, 3..5): a 3x3 block.
        int[][] expected = [.. from i in Enumerable.Range(3, 3) from j in Enumerable.Range(3, 3) select new[] { i, j }];
        Assert.That(Enumerable.Range(0, output.ActiveCount).Select(output.CoordinateOf), Is.EquivalentTo(expected));
        Assert.That(rules.PairCount, Is.EqualTo(9));
        for (int t = 0; t < 9; t++)
            Assert.That(rules.InputRowsOf(t).ToArray(), Is.EqualTo(new[] { 0 }), $"tap {t} sees the input once");
    }

    [Test]
    public void PoolingMapsToTheCoveringWindowOnly()
    {
        using Tape tape = new();
        SparseTensor x = Input(tape, new SpatialSize(8, 8), [3, 4], [2, 5], [7, 7]);
        (SparseGrid output, RuleBook rules) = x.Metadata.GetConvolutionRules(x.SpatialSize, SpatialSize.Cube(2, 2), SpatialSize.Cube(2, 2));
        Assert.That(Enumerable.Range(0, output.ActiveCount).Select(output.CoordinateOf), Is.EquivalentTo(new[] { new[] { 1, 2 }, new[] { 3, 3 } }));
        Assert.That(rules.PairCount, Is.EqualTo(3));
    }

    [Test]
    public void RuleBooksAreBuiltOnceAndSharedByLayersAndBackward()
    {
        using Tape tape = new();
        SparseTensor x = Input(tape, new SpatialSize(12, 12), [1, 1], [6, 7], [10, 2]);
        Convolution a = new(2, 1, 4, 3, seed: 1), b = new(2, 1, 4, 3, seed: 2);
        SparseTensor ya = a.Forward(x, tape);
        int count = x.Metadata.RuleBookCount;
        SparseTensor yb = b.Forward(x, tape);
        Assert.That(x.Metadata.RuleBookCount, Is.EqualTo(count), "a second layer of the same shape reuses the rulebook");
        Assert.That(yb.Grid, Is.SameAs(ya.Grid));
        new MaxPooling(2, 2, 2).Forward(ya, tape);
        new Convolution(2, 4, 4, 2, 2, seed: 3).Forward(ya, tape);
        Assert.That(x.Metadata.RuleBookCount, Is.EqualTo(count + 1), "pooling and a convolution with the same window share one rulebook");
        RuleBook rules = x.Metadata.GetConvolutionRules(x.SpatialSize, SpatialSize.Cube(2, 3), SpatialSize.Cube(2, 1)).Rules;
        Assert.That(rules.Transposed, Is.SameAs(rules.Transposed), "the transposed view is cached");
        Assert.That(rules.Transposed.Transposed, Is.SameAs(rules));
    }

    [Test]
    public void EveryTapHasStrictlyIncreasingOutputsAndDistinctInputs()
    {
        using Tape tape = new();
        Random random = new(4);
        int[][] sites = [.. Enumerable.Range(0, 60).Select(_ => new[] { random.Next(20), random.Next(20) }).DistinctBy(s => (s[0], s[1]))];
        SparseTensor x = Input(tape, new SpatialSize(20, 20), sites);
        RuleBook[] books =
        [
            x.Metadata.GetConvolutionRules(x.SpatialSize, SpatialSize.Cube(2, 3), SpatialSize.Cube(2, 1)).Rules,
            x.Metadata.GetSubmanifoldRules(x.SpatialSize, SpatialSize.Cube(2, 5)),
            x.Metadata.GetDeconvolutionRules(x.SpatialSize, SpatialSize.Cube(2, 3), SpatialSize.Cube(2, 2)).Rules,
        ];
        foreach (RuleBook book in books.Concat(books.Select(b => b.Transposed)))
            for (int t = 0; t < book.FilterVolume; t++)
            {
                int[] outs = book.OutputRowsOf(t).ToArray(), ins = book.InputRowsOf(t).ToArray();
                Assert.That(outs, Is.Ordered.Ascending.And.Unique, $"{book} tap {t}");
                Assert.That(ins, Is.Unique, $"{book} tap {t}");
            }
    }

    [Test]
    public void SubmanifoldKeepsTheActiveSetAndCentresTheFilter()
    {
        using Tape tape = new();
        SparseTensor x = Input(tape, new SpatialSize(6, 6, 6), [0, 0, 0], [0, 0, 1], [3, 3, 3]);
        RuleBook rules = x.Metadata.GetSubmanifoldRules(x.SpatialSize, SpatialSize.Cube(3, 3));
        // Each site sees itself (centre tap 13); the first two see each other through taps 12 and 14.
        Assert.That(rules.PairCount, Is.EqualTo(5));
        Assert.That(rules.OutputRowsOf(13).ToArray(), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(rules.InputRowsOf(14).ToArray(), Is.EqualTo(new[] { 1 }));
        Assert.That(rules.OutputRowsOf(14).ToArray(), Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void DeconvolutionReusesTheEncoderGridWhenItExists()
    {
        using Tape tape = new();
        SparseTensor x = Input(tape, new SpatialSize(8, 8), [1, 1], [6, 6]);
        SparseTensor down = new Convolution(2, 1, 2, 2, 2, seed: 1).Forward(x, tape);
        SparseTensor up = new Deconvolution(2, 2, 1, 2, 2, seed: 2).Forward(down, tape);
        Assert.That(up.Grid, Is.SameAs(x.Grid), "a U-Net decoder restores the encoder's active set");
    }

    [Test]
    public void OutputSizesFollowTheLayerArithmetic()
    {
        Assert.That(new Convolution(2, 1, 1, 3).OutputSpatialSize(new SpatialSize(96, 96)), Is.EqualTo(new SpatialSize(94, 94)));
        Assert.That(new MaxPooling(2, 3, 2).OutputSpatialSize(new SpatialSize(95, 95)), Is.EqualTo(new SpatialSize(47, 47)));
        Assert.That(new Deconvolution(3, 1, 1, 2, 2).OutputSpatialSize(new SpatialSize(4, 4, 4)), Is.EqualTo(new SpatialSize(8, 8, 8)));
        Assert.That(SpatiallySparse.Networks.DeepCNet.Create(new SpatiallySparse.Networks.DeepCNetOptions { L = 5, K = 2 }).OutputSpatialSize(new SpatialSize(96, 96)),
            Is.EqualTo(new SpatialSize(1, 1)), "DeepCNet(5, k) reduces 96 x 96 to one site");
    }
}
