using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;
using static SpatiallySparse.Tests.Geometry.RandomGeometry;

namespace SpatiallySparse.Tests.Geometry;

/// <summary>
/// 3D submanifold rules merged from sorted sites (<see cref="VolumeRules"/>) against a brute-force loop and the
/// any-dimension paths, on odd and even sizes, blobs, scattered sites, full and nearly empty samples.
/// </summary>
[TestFixture]
public sealed class VolumeRulesTests
{
    /// <summary>Per tap, the (input row, output row) pairs in output order: every site against every filter offset.</summary>
    private static List<(int In, int Out)>[] Reference(SparseGrid grid, SpatialSize filter)
    {
        SpatialSize size = grid.Size;
        Dictionary<(int, long), int> rowOf = [];
        for (int r = 0; r < grid.ActiveCount; r++)
            rowOf[(grid.SampleOfRow[r], grid.LinearIndexOfRow[r])] = r;
        List<(int, int)>[] pairs = [.. Enumerable.Range(0, (int)filter.Volume).Select(_ => new List<(int, int)>())];
        int[] x = new int[3], t = new int[3], y = new int[3];
        for (int r = 0; r < grid.ActiveCount; r++)
        {
            size.Coordinate(grid.LinearIndexOfRow[r], x);
            for (int tap = 0; tap < filter.Volume; tap++)
            {
                filter.Coordinate(tap, t);
                for (int d = 0; d < 3; d++)
                    y[d] = x[d] + t[d] - filter[d] / 2;
                if (size.Contains(y) && rowOf.TryGetValue((grid.SampleOfRow[r], size.LinearIndex(y)), out int row))
                    pairs[tap].Add((row, r));
            }
        }
        return pairs;
    }

    private static void AssertMatchesReference(SparseGrid grid, RuleBook rules, SpatialSize filter, string what)
    {
        List<(int In, int Out)>[] pairs = Reference(grid, filter);
        Assert.That(rules.PairCount, Is.EqualTo(pairs.Sum(p => p.Count)), $"{what}: pair count");
        for (int tap = 0; tap < rules.FilterVolume; tap++)
        {
            Assert.That(rules.InputRowsOf(tap).ToArray(), Is.EqualTo(pairs[tap].Select(p => p.In).ToArray()), $"{what}: inputs of tap {tap}");
            Assert.That(rules.OutputRowsOf(tap).ToArray(), Is.EqualTo(pairs[tap].Select(p => p.Out).ToArray()), $"{what}: outputs of tap {tap}");
        }
    }

    private static readonly object[] Shapes =
    [
        new object[] { new[] { 12, 12, 12 }, new[] { 3, 3, 3 } },
        new object[] { new[] { 13, 10, 8 }, new[] { 3, 3, 3 } },
        new object[] { new[] { 9, 11, 7 }, new[] { 5, 5, 5 } },
        new object[] { new[] { 16, 5, 9 }, new[] { 3, 1, 5 } },
        new object[] { new[] { 2, 1, 3 }, new[] { 3, 3, 3 } },
        new object[] { new[] { 64, 64, 64 }, new[] { 3, 3, 3 } },
    ];

    [TestCaseSource(nameof(Shapes))]
    public void MergedSubmanifoldRulesMatchBruteForceAndTheOtherPaths(int[] extent, int[] filter)
    {
        SpatialSize size = new(extent), f = new(filter);
        foreach (bool scattered in new[] { false, true })
        {
            // Blobs and scattered sites in random samples, plus one full sample and one with a single site.
            Random random = new(extent.Sum() * 17 + filter.Sum() + (scattered ? 1 : 0));
            List<(int Sample, int[] Site)> sites = Sites(random, 6, size, (int)Math.Min(400, size.Volume), scattered);
            int[] c = new int[3];
            for (long lin = 0; lin < Math.Min(size.Volume, 5000); lin++)
            {
                size.Coordinate(lin, c);
                sites.Add((6, (int[])c.Clone()));
            }
            sites.Add((7, [extent[0] - 1, extent[1] - 1, extent[2] - 1]));
            using Tape tape = new();
            SparseTensor x = Input(tape, size, 8, sites);
            string what = scattered ? "scattered" : "blobs";
            RuleBook merged = VolumeRules.BuildSubmanifold(x.Grid, f, threads: 1);
            AssertMatchesReference(x.Grid, merged, f, what);
            RuleBook parallel = VolumeRules.BuildSubmanifold(x.Grid, f, threads: 3);
            RuleBook hashed = SubmanifoldRules.Build(x.Grid, f, direct: false);
            AssertSameRules(x.Grid, parallel, x.Grid, merged, $"{what}: 3 threads against 1");
            AssertSameRules(x.Grid, merged, x.Grid, hashed, $"{what}: merged against hashed");
            Assert.That(x.Metadata.GetSubmanifoldRules(size, f).PairCount, Is.EqualTo(merged.PairCount), $"{what}: the metadata's rules");
            foreach (RuleBook r in new[] { merged, parallel, hashed })
                r.Release();
        }
    }

    [Test]
    public void MergedRulesWorkOnTheLargestGridsABatchAllows()
    {
        // A side of a million, 9 samples: keys reach 9e18 (a batch of 10 would overflow them and is refused).
        SpatialSize size = SpatialSize.Cube(3, 1_000_000);
        List<(int Sample, int[] Site)> sites = [];
        for (int b = 0; b < 9; b++)
            foreach (int[] s in new[] { new[] { 999_999, 999_999, 999_999 }, [999_999, 999_998, 999_999], [999_998, 999_999, 999_998], [0, 0, 0], [0, 0, 1] })
                sites.Add((b, s));
        using Tape tape = new();
        SparseTensor x = Input(tape, size, 9, sites);
        RuleBook rules = x.Metadata.GetSubmanifoldRules(size, SpatialSize.Cube(3, 3));
        AssertMatchesReference(x.Grid, rules, SpatialSize.Cube(3, 3), "side 1,000,000");
        Assert.That(rules.PairCount, Is.EqualTo(9 * (5 + 2 * 4)), "each site itself, plus both ways for the four neighbouring pairs (A-B, A-C, B-C, D-E)");
    }
}
