using CsCheck;
using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Backends.Cpu.Simd;
using SpatiallySparse.Layers;
using SpatiallySparse.Tests.Equivalence;
using SpatiallySparse.Tests.Geometry;

namespace SpatiallySparse.Tests.Properties;

/// <summary>Generated batches: the sparse valid convolution equals the dense reference; rulebooks equal brute force; 1 and 2 threads agree.</summary>
[TestFixture]
public sealed class ConvolutionProperties
{
    /// <summary>A filter, a stride and an extent that the stride tiles exactly: extent = (outputs - 1) * stride + filter.</summary>
    private static readonly Gen<(int[] Extent, int Filter, int Stride)> Shapes =
        from dim in Gen.Int[1, 4]
        from filter in Gen.Int[1, dim >= 3 ? 2 : 3]
        from stride in Gen.Int[1, 2]
        from outputs in Gen.Int[1, dim >= 3 ? 2 : 4].Array[dim]
        select (outputs.Select(o => (o - 1) * stride + filter).ToArray(), filter, stride);

    private static readonly Gen<(SparseCase Case, int Filter, int Stride, int Cout)> Convolutions =
        from shape in Shapes
        from c in SparseCases.On(Gen.Const(shape.Extent))
        from cout in Gen.Int[1, 3]
        select (c, shape.Filter, shape.Stride, cout);

    [Test]
    public void SparseValidConvolutionEqualsTheDenseReference() =>
        Convolutions.Sample(t =>
        {
            (SparseCase c, int f, int s, int cout) = t;
            using Tape tape = new();
            Convolution layer = new(c.Dimension, c.Channels, cout, f, s, seed: 7);
            SparseTensor y = layer.Forward(c.Tensor(CpuBackend.Shared, tape), tape);
            float[] w = layer.NamedParameters().Single(p => p.Name == "weight").Parameter.GetValues();
            float[] bias = layer.NamedParameters().Single(p => p.Name == "bias").Parameter.GetValues();
            double[][][] x = DenseReference.New(c.Batch, c.Channels, c.Size.Volume);
            foreach ((int b, int[] site, float[] features) in c.Points)
                for (int ch = 0; ch < c.Channels; ch++)
                    x[b][ch][c.Size.LinearIndex(site)] += features[ch];
            double[][][] dense = DenseReference.Convolution(x, c.Size, w, bias, cout, f, s, out SpatialSize outSize);
            Assert.That(y.SpatialSize, Is.EqualTo(outSize), c.ToString());
            HashSet<(int, long)> active = [.. c.Points.Select(p => (p.Sample, c.Size.LinearIndex(p.Site)))];
            long expectedActive = Enumerable.Range(0, c.Batch).Sum(b => Enumerable.Range(0, (int)outSize.Volume).LongCount(o =>
                Enumerable.Range(0, (int)Math.Pow(f, c.Dimension)).Any(tap => active.Contains((b, DenseReference.InputSite(c.Size, outSize, o, tap, f, s))))));
            Assert.That(y.ActiveCount, Is.EqualTo(expectedActive), "active outputs: those whose window holds an active input");
            float[] actual = y.GetFeatures();
            for (int r = 0; r < y.ActiveCount; r++)
                for (int j = 0; j < cout; j++)
                {
                    double expected = dense[y.Grid.SampleOfRow[r]][j][y.Grid.LinearIndexOfRow[r]];
                    Assert.That(actual[r * cout + j], Is.EqualTo(expected).Within(1e-4 * Math.Max(1, Math.Abs(expected))), $"row {r}, channel {j}");
                }
        }, iter: 600, threads: 1, print: t => $"{t.Case}, filter {t.Filter}, stride {t.Stride}, {t.Cout} out");

    [Test]
    public void RuleBooksEqualTheBruteForceReference() =>
        (from shape in Shapes from c in SparseCases.On(Gen.Const(shape.Extent), maxChannels: 1, maxPoints: 20) select (shape, c)).Sample(t =>
        {
            ((int[] _, int f, int s), SparseCase c) = t;
            using Tape tape = new();
            List<(int Sample, int[] Site)> sites = [.. c.Points.Select(p => (p.Sample, p.Site)).DistinctBy(p => (p.Sample, c.Size.LinearIndex(p.Site)))];
            SparseTensor x = RandomGeometry.Input(tape, c.Size, c.Batch, sites);
            GeometryStorageTests.AssertMatchesReference(x, sites, SpatialSize.Cube(c.Dimension, f), SpatialSize.Cube(c.Dimension, s), c.ToString());
        }, iter: 600, threads: 1, print: t => $"{t.c}, filter {t.shape.Filter}, stride {t.shape.Stride}");

    [Test]
    public void AModulesForwardGivesTheSameBitsOnOneAndTwoThreads()
    {
        // Wide layers on 2D-3D grids, so that some cases pass the parallel threshold (counted below).
        int splits = 0;
        Gen<SparseCase> cases = SparseCases.On(from dim in Gen.Int[2, 3] from e in Gen.Int[6, dim == 2 ? 24 : 8].Array[dim] select e, maxChannels: 3, maxPoints: 400);
        cases.Sample(c =>
        {
            float[] one = Forward(c, new CpuBackend(1), ref splits), two = Forward(c, new CpuBackend(2), ref splits);
            Assert.That(two.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(one.Select(BitConverter.SingleToInt32Bits)), c.ToString());
        }, iter: 40, threads: 1, print: c => c.ToString());
        Assert.That(splits, Is.GreaterThan(0), "no case was split over two workers: the comparison proves nothing");
    }

    private static float[] Forward(SparseCase c, CpuBackend backend, ref int splits)
    {
        using Sequential net = new(new SubmanifoldConvolution(c.Dimension, c.Channels, 64, 3, seed: 1), new LeakyRelu(0.1f),
            new SubmanifoldConvolution(c.Dimension, 64, 64, 3, seed: 2));
        net.To(backend);
        using Tape tape = new();
        int seen = 0;
        ParallelJob.SplitObserver = (_, _, _) => seen++;
        try
        {
            return ((SparseTensor)net.Forward(c.Tensor(backend, tape), tape)).GetFeatures();
        }
        finally
        {
            ParallelJob.SplitObserver = null;
            splits += seen;
        }
    }
}
