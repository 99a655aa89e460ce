using System.Numerics;
using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Geometry;
using static SpatiallySparse.Tests.Geometry.RandomGeometry;

namespace SpatiallySparse.Tests.Geometry;

/// <summary>
/// The 2D builder (<see cref="PlanarRules"/>) against the any-dimension direct path, which
/// <see cref="GeometryStorageTests"/> checks against a brute-force reference: per-axis tables, every thread count,
/// windows that skip inputs, samples with no output, filters up to the 64-bit limit and past it.
/// </summary>
[TestFixture]
public sealed class PlanarRulesTests
{
    private static readonly object[] Axes =
    [
        new object[] { 192, 3, 1 }, new object[] { 190, 2, 2 }, new object[] { 29, 2, 3 }, new object[] { 41, 2, 3 },
        new object[] { 9, 1, 2 }, new object[] { 7, 7, 1 }, new object[] { 200, 64, 1 }, new object[] { 200, 64, 8 },
        new object[] { 130, 64, 66 }, new object[] { 64, 64, 1 }, new object[] { 1, 1, 1 }, new object[] { 31, 5, 2 },
    ];

    [TestCaseSource(nameof(Axes))]
    public void AxisTablesMatchTheWindowsThatCoverEachCoordinate(int length, int filter, int stride)
    {
        int windows = (length - filter) / stride + 1;
        PlanarAxis axis = PlanarAxis.Rent(length, filter, stride, windows);
        try
        {
            for (int x = 0; x < length; x++)
            {
                int[] covering = [.. Enumerable.Range(0, windows).Where(o => o * stride <= x && x < o * stride + filter)];
                int first = axis.First[x], last = axis.Last[x];
                Assert.That(Enumerable.Range(first, last - first + 1), Is.EqualTo(covering), $"windows of {x}");
                Assert.That(first, Is.InRange(0, windows - 1), $"first window of {x} stays on the grid");
                if (covering.Length > 0)
                    Assert.That(axis.Tap[x], Is.EqualTo(x - covering[0] * stride), $"tap of {x} in its first window");
                ulong taps = covering.Aggregate(0UL, (set, o) => set | 1UL << (x - o * stride));
                Assert.That(axis.TapSets[axis.Class[x]], Is.EqualTo(taps), $"taps of {x}");
                // The windows as bits of a row of words, starting at word Word[x].
                BigInteger bits = ((BigInteger)axis.Masks[2 * x + 1] << 64 | axis.Masks[2 * x]) << (64 * axis.Word[x]);
                BigInteger expected = covering.Aggregate(BigInteger.Zero, (set, o) => set | BigInteger.One << o);
                Assert.That(bits, Is.EqualTo(expected), $"bits of {x}");
            }
            Assert.That(axis.TapSets.ToArray(), Is.Unique, "one class per tap set");
        }
        finally
        {
            axis.Return();
        }
    }

    private static readonly object[] Shapes =
    [
        // Large enough (>= 32K windows of active sites) to be built in chunks of samples.
        new object[] { new[] { 192, 192 }, new[] { 3, 3 }, new[] { 1, 1 }, 1200 },
        new object[] { new[] { 190, 190 }, new[] { 2, 2 }, new[] { 2, 2 }, 4000 },
        new object[] { new[] { 95, 95 }, new[] { 2, 2 }, new[] { 1, 1 }, 1500 },
        // Windows that skip inputs (f < s), rectangular windows, a window wider than a bitmap word.
        new object[] { new[] { 20, 29 }, new[] { 2, 2 }, new[] { 3, 3 }, 40 },
        new object[] { new[] { 41, 29 }, new[] { 1, 2 }, new[] { 4, 3 }, 40 },
        new object[] { new[] { 30, 41 }, new[] { 3, 2 }, new[] { 1, 3 }, 30 },
        new object[] { new[] { 70, 130 }, new[] { 2, 64 }, new[] { 1, 1 }, 60 },
        new object[] { new[] { 9, 200 }, new[] { 3, 64 }, new[] { 2, 8 }, 60 },
        new object[] { new[] { 5, 5 }, new[] { 5, 5 }, new[] { 1, 1 }, 3 },
        // Disjoint windows (the pooling loops): one window per input, and 1 x 1.
        new object[] { new[] { 129, 140 }, new[] { 3, 2 }, new[] { 3, 2 }, 400 },
        new object[] { new[] { 12, 13 }, new[] { 1, 1 }, new[] { 1, 1 }, 20 },
    ];

    [TestCaseSource(nameof(Shapes))]
    public void EveryThreadCountBuildsTheDirectPathsRules(int[] extent, int[] filter, int[] stride, int perSample)
    {
        SpatialSize size = new(extent), f = new(filter), s = new(stride);
        SpatialSize outSize = ConvolutionRules.OutputSize(size, f, s);
        foreach (bool scattered in new[] { false, true })
        {
            using Tape tape = new();
            SparseTensor x = Input(tape, size, 11, Sites(new Random(extent.Sum() + 7 * filter.Sum()), 11, size, perSample, scattered));
            (SparseGrid expectedGrid, RuleBook expected) = ConvolutionRules.Build(x.Grid, f, s, direct: true, planar: false);
            foreach (int threads in new[] { 1, 2, 3 })
            {
                (SparseGrid grid, RuleBook rules) = PlanarRules.Build(x.Grid, outSize, f, s, threads);
                AssertSameRules(grid, rules, expectedGrid, expected, $"{(scattered ? "scattered" : "blobs")}, {threads} threads");
                rules.Release();
                grid.Release();
            }
            expected.Release();
            expectedGrid.Release();
        }
    }

    [Test]
    public void SamplesWhoseInputsNoWindowCoversHaveNoOutputs()
    {
        // 2x2 windows with stride 3 skip every third row and column: samples 1 and 3 lie only there.
        SpatialSize size = new(20, 29), f = SpatialSize.Cube(2, 2), s = SpatialSize.Cube(2, 3);
        List<(int, int[])> sites = [(0, [0, 0]), (0, [4, 4]), (1, [2, 2]), (1, [5, 28]), (1, [19, 8]), (2, [18, 27]), (3, [2, 0])];
        using Tape tape = new();
        SparseTensor x = Input(tape, size, 4, sites);
        (SparseGrid grid, RuleBook rules) = ConvolutionRules.Build(x.Grid, f, s, direct: true);
        (SparseGrid expectedGrid, RuleBook expected) = ConvolutionRules.Build(x.Grid, f, s, direct: false);
        AssertSameRules(grid, rules, expectedGrid, expected, "planar against hashing");
        Assert.That(grid.SampleOffsets.ToArray(), Is.EqualTo(new[] { 0, 2, 2, 3, 3 }), "samples 1 and 3 are empty");
    }

    [Test]
    public void FiltersWiderThanTheTablesTakeTheAnyDimensionPath()
    {
        SpatialSize size = new(70, 9), f = new(66, 2), s = new(1, 1);
        Assert.That(PlanarRules.Handles(size, f), Is.False);
        using Tape tape = new();
        SparseTensor x = Input(tape, size, 3, Sites(new Random(5), 3, size, 40, scattered: false));
        (SparseGrid grid, RuleBook rules) = ConvolutionRules.Build(x.Grid, f, s, direct: true);
        (SparseGrid expectedGrid, RuleBook expected) = ConvolutionRules.Build(x.Grid, f, s, direct: false);
        AssertSameRules(grid, rules, expectedGrid, expected, "a 66-wide filter");
    }

    [Test]
    public void AxesLongerThanTheTablesTakeTheAnyDimensionPath()
    {
        SpatialSize size = new(3, PlanarRules.MaxAxis + 6), f = SpatialSize.Cube(2, 2), s = SpatialSize.Cube(2, 1);
        Assert.That(PlanarRules.Handles(size, f), Is.False);
        using Tape tape = new();
        SparseTensor x = Input(tape, size, 2, [(0, [0, 0]), (0, [1, 1]), (0, [2, PlanarRules.MaxAxis + 5]), (1, [1, 60_000])]);
        (SparseGrid grid, RuleBook rules) = ConvolutionRules.Build(x.Grid, f, s, direct: true);
        (SparseGrid expectedGrid, RuleBook expected) = ConvolutionRules.Build(x.Grid, f, s, direct: false);
        AssertSameRules(grid, rules, expectedGrid, expected, "an axis of 65,542");
    }

    [Test]
    public void ALargeTableFilledByRangesOfRowsEqualsTheOneFromEveryPair()
    {
        // A large vouched rulebook's neighbour table is filled by ranges of output rows on the worker pool.
        SpatialSize size = new(200, 200), f = SpatialSize.Cube(2, 3), s = SpatialSize.Cube(2, 1);
        using Tape tape = new();
        SparseTensor x = Input(tape, size, 4, Sites(new Random(3), 4, size, 9000, scattered: true));
        (_, RuleBook rules) = ConvolutionRules.Build(x.Grid, f, s, direct: true);
        Assert.That(rules.OutputRows * rules.FilterVolume, Is.GreaterThan(1 << 18), "large enough for the worker pool");
        int[] expected = Enumerable.Repeat(-1, rules.OutputRows * rules.FilterVolume).ToArray();
        for (int t = 0; t < rules.FilterVolume; t++)
            for (int p = 0; p < rules.OutputRowsOf(t).Length; p++)
                expected[(rules.OutputRowsOf(t)[p] * rules.FilterVolume) + t] = rules.InputRowsOf(t)[p];
        Assert.That(rules.NeighbourTable.ToArray(), Is.EqualTo(expected));
    }
}
