using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Geometry;
using static SpatiallySparse.Tests.Geometry.RandomGeometry;

namespace SpatiallySparse.Tests.Geometry;

/// <summary>
/// Geometry lives in pooled storage that each batch's metadata gives back when its tape ends, so later batches
/// reuse the same arrays. These tests check the rulebooks against a brute-force reference for fresh and for
/// reused storage, and that a disposed batch's geometry refuses to be read.
/// </summary>
[TestFixture]
public sealed class GeometryStorageTests
{
    /// <summary>
    /// The reference: every output site of every sample, active when any input of its window is; per tap the
    /// (input row, output row) pairs in output order. Rows are numbered by (sample, linear index).
    /// </summary>
    private static (long[] OutputKeys, List<(int In, int Out)>[] Pairs) Reference(
        SpatialSize size, int batch, List<(int Sample, int[] Site)> sites, SpatialSize filter, SpatialSize stride)
    {
        int dim = size.Dimension;
        int[] outExtent = new int[dim];
        for (int d = 0; d < dim; d++)
            outExtent[d] = (size[d] - filter[d]) / stride[d] + 1;
        SpatialSize outSize = new(outExtent);
        long[] inKeys = [.. sites.Select(s => s.Sample * size.Volume + size.LinearIndex(s.Site)).Order()];
        Dictionary<long, int> inRow = inKeys.Select((k, i) => (k, i)).ToDictionary(p => p.k, p => p.i);
        List<long> outKeys = [];
        List<(int, int)>[] pairs = [.. Enumerable.Range(0, (int)filter.Volume).Select(_ => new List<(int, int)>())];
        int[] o = new int[dim], t = new int[dim], x = new int[dim];
        for (int b = 0; b < batch; b++)
            for (long lin = 0; lin < outSize.Volume; lin++)
            {
                outSize.Coordinate(lin, o);
                List<(int Tap, int In)> found = [];
                for (int tap = 0; tap < filter.Volume; tap++)
                {
                    filter.Coordinate(tap, t);
                    for (int d = 0; d < dim; d++)
                        x[d] = o[d] * stride[d] + t[d];
                    if (inRow.TryGetValue(b * size.Volume + size.LinearIndex(x), out int row))
                        found.Add((tap, row));
                }
                if (found.Count == 0)
                    continue;
                foreach ((int tap, int row) in found)
                    pairs[tap].Add((row, outKeys.Count));
                outKeys.Add(b * outSize.Volume + lin);
            }
        return ([.. outKeys], pairs);
    }

    internal static void AssertMatchesReference(SparseTensor x, List<(int Sample, int[] Site)> sites, SpatialSize filter, SpatialSize stride, string what)
    {
        (SparseGrid output, RuleBook rules) = x.Metadata.GetConvolutionRules(x.SpatialSize, filter, stride);
        (long[] outKeys, List<(int In, int Out)>[] pairs) = Reference(x.SpatialSize, x.BatchSize, sites, filter, stride);
        long[] keys = [.. Enumerable.Range(0, output.ActiveCount).Select(r => output.SampleOfRow[r] * output.Size.Volume + output.LinearIndexOfRow[r])];
        Assert.That(keys, Is.EqualTo(outKeys), $"{what}: output active set");
        for (int tap = 0; tap < rules.FilterVolume; tap++)
        {
            Assert.That(rules.InputRowsOf(tap).ToArray(), Is.EqualTo(pairs[tap].Select(p => p.In).ToArray()), $"{what}: inputs of tap {tap}");
            Assert.That(rules.OutputRowsOf(tap).ToArray(), Is.EqualTo(pairs[tap].Select(p => p.Out).ToArray()), $"{what}: outputs of tap {tap}");
            // The transposed view: the same pairs, ordered by input row.
            (int In, int Out)[] swapped = [.. pairs[tap].OrderBy(p => p.In)];
            Assert.That(rules.Transposed.OutputRowsOf(tap).ToArray(), Is.EqualTo(swapped.Select(p => p.In).ToArray()), $"{what}: transposed tap {tap}");
            Assert.That(rules.Transposed.InputRowsOf(tap).ToArray(), Is.EqualTo(swapped.Select(p => p.Out).ToArray()), $"{what}: transposed tap {tap}");
        }
        ReadOnlySpan<int> table = rules.NeighbourTable;
        for (int tap = 0; tap < rules.FilterVolume; tap++)
            foreach ((int inRow, int outRow) in pairs[tap])
                Assert.That(table[outRow * rules.FilterVolume + tap], Is.EqualTo(inRow), $"{what}: neighbour table");
        Assert.That(rules.PairCount, Is.EqualTo(pairs.Sum(p => p.Count)), $"{what}: no pairs beyond the reference");
    }

    private static readonly object[] Shapes =
    [
        new object[] { new[] { 30, 30 }, 3, 1 },
        new object[] { new[] { 30, 30 }, 2, 2 },
        new object[] { new[] { 31, 31 }, 3, 2 },
        new object[] { new[] { 12, 12, 12 }, 2, 1 },
        new object[] { new[] { 13, 13, 13 }, 3, 2 },
        // 3D, odd and even sides, filters 2 and 3, strides 1 to 3 (issue 14).
        new object[] { new[] { 14, 10, 12 }, 2, 2 },
        new object[] { new[] { 15, 12, 9 }, 3, 3 },
        new object[] { new[] { 11, 9, 13 }, 3, 2 },
        new object[] { new[] { 10, 7, 8 }, 2, 1 },
        new object[] { new[] { 11, 8, 14 }, 2, 3 },
    ];

    [TestCaseSource(nameof(Shapes))]
    public void RulesMatchTheBruteForceReferenceInFreshAndReusedStorage(int[] extent, int filter, int stride)
    {
        SpatialSize size = new(extent);
        SpatialSize f = SpatialSize.Cube(size.Dimension, filter), s = SpatialSize.Cube(size.Dimension, stride);
        Random random = new(extent.Length * 100 + filter * 10 + stride);
        List<(int, int[])> first = Sites(random, 5, size, 60);
        List<(int, int[])> second = Sites(random, 7, size, 90);
        for (int round = 0; round < 3; round++)
        {
            // Alternating batches of different sizes: each one takes storage the previous one gave back.
            foreach (List<(int, int[])> sites in (List<(int, int[])>[])[first, second])
            {
                using Tape tape = new();
                SparseTensor x = Input(tape, size, sites.Max(p => p.Item1) + 1, sites);
                AssertMatchesReference(x, sites, f, s, $"round {round}, {sites.Count} sites");
            }
        }
    }

    [TestCaseSource(nameof(Shapes))]
    public void ScatteredSitesMatchTheReference(int[] extent, int filter, int stride)
    {
        // Few sites spread over the grid: bounding boxes much larger than the sets, so sites get sorted, not scanned.
        SpatialSize size = new(extent);
        List<(int, int[])> sites = Sites(new Random(extent.Sum() * 7 + stride), 4, size, 6, scattered: true);
        using Tape tape = new();
        SparseTensor x = Input(tape, size, 4, sites);
        AssertMatchesReference(x, sites, SpatialSize.Cube(size.Dimension, filter), SpatialSize.Cube(size.Dimension, stride), "scattered");
    }

    [TestCaseSource(nameof(Shapes))]
    public void DirectAddressingAndHashingBuildTheSameRules(int[] extent, int filter, int stride)
    {
        SpatialSize size = new(extent);
        SpatialSize f = SpatialSize.Cube(size.Dimension, filter), s = SpatialSize.Cube(size.Dimension, stride);
        List<(int, int[])> sites = Sites(new Random(extent.Sum() + filter), 6, size, 80);
        using Tape tape = new();
        SparseTensor x = Input(tape, size, 6, sites);
        Assert.That(ConvolutionRules.UsesDirectAddressing(x.Grid), Is.True, "small grids take the direct path by default");
        (SparseGrid hashedGrid, RuleBook hashed) = ConvolutionRules.Build(x.Grid, f, s, direct: false);
        (SparseGrid directGrid, RuleBook direct) = ConvolutionRules.Build(x.Grid, f, s, direct: true, planar: false);
        AssertSameRules(directGrid, direct, hashedGrid, hashed, "direct");
        (SparseGrid planarGrid, RuleBook planar) = ConvolutionRules.Build(x.Grid, f, s, direct: true);
        AssertSameRules(planarGrid, planar, hashedGrid, hashed, "direct, 2D path where 2D");
        // The direct output grid still answers lookups, through the map it builds on first use.
        int row = directGrid.ActiveCount / 2;
        Assert.That(directGrid.RowOf(directGrid.SampleOfRow[row], directGrid.LinearIndexOfRow[row]), Is.EqualTo(row));
        using Tape other = new();
        SparseTensor lonely = Input(other, new SpatialSize(4096, 4096), 1, [(0, [7, 9])]);
        Assert.That(ConvolutionRules.UsesDirectAddressing(lonely.Grid), Is.False, "one site on a huge grid is hashed");
    }

    private static readonly object[] PlanarShapes =
    [
        new object[] { new[] { 192, 192 }, new[] { 3, 3 }, new[] { 1, 1 }, 40 },
        new object[] { new[] { 190, 190 }, new[] { 2, 2 }, new[] { 2, 2 }, 40 },
        new object[] { new[] { 30, 41 }, new[] { 3, 2 }, new[] { 1, 3 }, 30 },
        new object[] { new[] { 20, 29 }, new[] { 2, 2 }, new[] { 3, 3 }, 30 },
        new object[] { new[] { 5, 5 }, new[] { 2, 2 }, new[] { 1, 1 }, 6 },
        new object[] { new[] { 7, 9 }, new[] { 7, 1 }, new[] { 1, 2 }, 9 },
        // Large enough (>= 32K windows of active sites) to be built in chunks of samples on the worker pool.
        new object[] { new[] { 192, 192 }, new[] { 3, 3 }, new[] { 1, 1 }, 1200 },
        new object[] { new[] { 190, 190 }, new[] { 2, 2 }, new[] { 2, 2 }, 4000 },
    ];

    [TestCaseSource(nameof(PlanarShapes))]
    public void PlanarPathMatchesTheOtherPathsAndTheReference(int[] extent, int[] filter, int[] stride, int perSample)
    {
        // Rectangular grids and filters, strides that skip sites (f < s), windows at every border, and batches
        // of blobs and of scattered sites (bounding boxes scanned and sorted).
        SpatialSize size = new(extent), f = new(filter), s = new(stride);
        foreach (bool scattered in new[] { false, true })
        {
            List<(int, int[])> sites = Sites(new Random(extent.Sum() * 31 + filter.Sum()), 9, size, perSample, scattered);
            using Tape tape = new();
            SparseTensor x = Input(tape, size, 9, sites);
            AssertMatchesReference(x, sites, f, s, scattered ? "scattered" : "blobs");
            (SparseGrid planarGrid, RuleBook planar) = ConvolutionRules.Build(x.Grid, f, s, direct: true);
            (SparseGrid directGrid, RuleBook direct) = ConvolutionRules.Build(x.Grid, f, s, direct: true, planar: false);
            (SparseGrid hashedGrid, RuleBook hashed) = ConvolutionRules.Build(x.Grid, f, s, direct: false);
            AssertSameRules(planarGrid, planar, directGrid, direct, "2D path against the any-dimension direct path");
            AssertSameRules(planarGrid, planar, hashedGrid, hashed, "2D path against hashing");
            foreach ((SparseGrid g, RuleBook r) in new[] { (planarGrid, planar), (directGrid, direct), (hashedGrid, hashed) })
            {
                r.Release();
                g.Release();
            }
        }
    }

    private static readonly object[] SubmanifoldShapes =
    [
        new object[] { new[] { 40, 40 }, 3 },
        new object[] { new[] { 30, 41 }, 5 },
        new object[] { new[] { 192, 192 }, 3 },
        new object[] { new[] { 12, 12, 12 }, 3 },
        new object[] { new[] { 9, 11, 7 }, 5 },
        new object[] { new[] { 3, 3 }, 5 },
    ];

    [TestCaseSource(nameof(SubmanifoldShapes))]
    public void SubmanifoldDirectAddressingAndHashingBuildTheSameRules(int[] extent, int filter)
    {
        // Blobs and scattered sites, so neighbours fall off every border of the grid.
        SpatialSize size = new(extent), f = SpatialSize.Cube(extent.Length, filter);
        foreach (bool scattered in new[] { false, true })
        {
            List<(int, int[])> sites = Sites(new Random(extent.Sum() * 13 + filter), 7, size, 50, scattered);
            using Tape tape = new();
            SparseTensor x = Input(tape, size, 7, sites);
            RuleBook hashed = SubmanifoldRules.Build(x.Grid, f, direct: false);
            RuleBook direct = SubmanifoldRules.Build(x.Grid, f, direct: true);
            Assert.That(direct.NeighbourTable.ToArray(), Is.EqualTo(hashed.NeighbourTable.ToArray()), scattered ? "scattered" : "blobs");
            for (int t = 0; t < direct.FilterVolume; t++)
            {
                Assert.That(direct.InputRowsOf(t).ToArray(), Is.EqualTo(hashed.InputRowsOf(t).ToArray()), $"tap {t}");
                Assert.That(direct.OutputRowsOf(t).ToArray(), Is.EqualTo(hashed.OutputRowsOf(t).ToArray()), $"tap {t}");
            }
            Assert.That(direct.OutputRowsOf(direct.FilterVolume / 2).ToArray(), Is.EqualTo(Enumerable.Range(0, x.ActiveCount).ToArray()), "the centre tap pairs each site with itself");
            direct.Release();
            hashed.Release();
        }
    }

    [Test]
    public void DisposedGeometryRefusesToBeRead()
    {
        SparseTensor x;
        RuleBook rules;
        SparseGrid output;
        using (Tape tape = new())
        {
            x = Input(tape, new SpatialSize(10, 10), 1, [(0, [4, 4]), (0, [5, 6])]);
            (output, rules) = x.Metadata.GetConvolutionRules(x.SpatialSize, SpatialSize.Cube(2, 3), SpatialSize.Cube(2, 1));
            _ = rules.Transposed;
        }
        Assert.Throws<ObjectDisposedException>(() => _ = x.Grid.LinearIndexOfRow.Length);
        Assert.Throws<ObjectDisposedException>(() => _ = output.SampleOfRow.Length);
        Assert.Throws<ObjectDisposedException>(() => x.Grid.RowOf(0, 44L));
        Assert.Throws<ObjectDisposedException>(() => _ = rules.InputRowsOf(0).Length);
        Assert.Throws<ObjectDisposedException>(() => _ = rules.NeighbourTable.Length);
        Assert.Throws<ObjectDisposedException>(() => x.Metadata.GetConvolutionRules(x.SpatialSize, SpatialSize.Cube(2, 2), SpatialSize.Cube(2, 2)));
        Assert.That(x.Grid.ActiveCount, Is.EqualTo(2), "shapes stay readable");
    }

    [Test]
    public void ATapThatRepeatsAnInputHasNoTransposed()
    {
        // Input row 0 feeds outputs 0 and 1 in one tap: the table path detects it and the checked path refuses it.
        RuleBook rules = new(1, 2, 2, [[0, 0]], [[0, 1]]);
        Assert.Throws<ArgumentException>(() => _ = rules.Transposed);
    }
}
