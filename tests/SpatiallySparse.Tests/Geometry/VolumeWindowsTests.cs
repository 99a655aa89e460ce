using System.Buffers;
using NUnit.Framework;
using SpatiallySparse.Geometry;
using static SpatiallySparse.Tests.Geometry.RandomGeometry;

namespace SpatiallySparse.Tests.Geometry;

/// <summary>
/// 3D valid and strided convolution, pooling and deconvolution rules merged from sorted lines
/// (<see cref="VolumeWindows"/>) against brute force and the table paths, on odd and even sizes, strides 1 to 3,
/// overlapping, tiling and gapped windows, and batches with blobs, scattered sites, a full and an empty sample.
/// </summary>
[TestFixture]
public sealed class VolumeWindowsTests
{
    private static readonly object[] Windows =
    [
        new object[] { new[] { 12, 12, 12 }, new[] { 2, 2, 2 }, new[] { 2, 2, 2 } },
        new object[] { new[] { 13, 10, 7 }, new[] { 3, 2, 1 }, new[] { 2, 2, 3 } },
        new object[] { new[] { 9, 9, 9 }, new[] { 3, 3, 3 }, new[] { 3, 3, 3 } },
        new object[] { new[] { 11, 11, 11 }, new[] { 3, 3, 3 }, new[] { 2, 2, 2 } },
        new object[] { new[] { 10, 8, 9 }, new[] { 3, 3, 3 }, new[] { 1, 1, 1 } },
        new object[] { new[] { 7, 10, 13 }, new[] { 1, 2, 1 }, new[] { 3, 2, 3 } },
        new object[] { new[] { 2, 2, 2 }, new[] { 2, 2, 2 }, new[] { 2, 2, 2 } },
        new object[] { new[] { 64, 64, 64 }, new[] { 2, 2, 2 }, new[] { 2, 2, 2 } },
    ];

    [TestCaseSource(nameof(Windows))]
    public void MergedConvolutionAndDeconvolutionRulesMatchBruteForceAndTheTablePaths(int[] extent, int[] filter, int[] stride)
    {
        SpatialSize size = new(extent), f = new(filter), s = new(stride);
        foreach (bool scattered in new[] { false, true })
        {
            string what = scattered ? "scattered" : "blobs";
            SparseGrid grid = Grid(size, Batch(size, filter.Sum() * 31 + stride.Sum() + (scattered ? 1 : 0), scattered));
            (SparseGrid coarse, RuleBook merged) = VolumeWindows.Convolution(grid, ConvolutionRules.OutputSize(size, f, s), f, s, threads: 1);
            AssertConvolutionMatchesReference(grid, coarse, merged, f, s, what);
            (SparseGrid parallelGrid, RuleBook parallel) = VolumeWindows.Convolution(grid, coarse.Size, f, s, threads: 3);
            AssertSameRules(parallelGrid, parallel, coarse, merged, $"{what}: 3 threads against 1");
            foreach (bool direct in new[] { true, false })
            {
                (SparseGrid tableGrid, RuleBook table) = ConvolutionRules.Build(grid, f, s, direct: direct);
                AssertSameRules(coarse, merged, tableGrid, table, $"{what}: merged against direct={direct}");
                tableGrid.Release();
                table.Release();
            }
            using (Metadata metadata = new(Grid(size, Batch(size, filter.Sum() * 31 + stride.Sum() + (scattered ? 1 : 0), scattered))))
                Assert.That(metadata.GetConvolutionRules(size, f, s).Rules.PairCount, Is.EqualTo(merged.PairCount), $"{what}: the metadata's rules");

            // Back up onto the fine grid (a U-Net's decoder), onto every reached site, and from a coarse grid unrelated to the fine one.
            SparseGrid other = Grid(coarse.Size, Batch(coarse.Size, 5, scattered));
            foreach ((SparseGrid input, SparseGrid? existing, string how) in new[] { (coarse, grid, "onto the fine grid"), (coarse, null, "onto reached sites"), (other, grid, "unrelated grids") })
            {
                (SparseGrid fine, RuleBook back) = DeconvolutionRules.Build(input, f, s, existing);
                AssertDeconvolutionMatchesReference(input, fine, back, f, s, $"{what}, {how}");
                (SparseGrid hashedGrid, RuleBook hashed) = DeconvolutionRules.Build(input, f, s, existing, merged: false);
                AssertSameRules(fine, back, hashedGrid, hashed, $"{what}, {how}: merged against hashed");
                RuleBook backParallel = VolumeWindows.Deconvolution(input, fine, f, s, threads: 3);
                AssertSameRules(fine, backParallel, fine, back, $"{what}, {how}: 3 threads");
                foreach (RuleBook r in new[] { back, hashed, backParallel })
                    r.Release();
                if (existing is null)
                {
                    fine.Release();
                    hashedGrid.Release();
                }
            }
            foreach (RuleBook r in new[] { merged, parallel })
                r.Release();
            foreach (SparseGrid g in new[] { grid, coarse, parallelGrid, other })
                g.Release();
        }
    }

    [Test]
    public void MergedWindowsWorkOnTheLargestGridsABatchAllows()
    {
        // A side of a million, 9 samples: linear indices pass 2^32 and keys reach 9e18 (see VolumeRulesTests).
        SpatialSize size = SpatialSize.Cube(3, 1_000_000), two = SpatialSize.Cube(3, 2), three = SpatialSize.Cube(3, 3);
        List<(int Sample, int[] Site)> sites = [];
        for (int b = 0; b < 9; b++)
            foreach (int[] s in new[] { new[] { 999_999, 999_999, 999_999 }, [999_999, 999_998, 999_999], [999_998, 999_999, 999_998], [0, 0, 0], [0, 0, 1], [1, 2, 3] })
                sites.Add((b, s));
        SparseGrid grid = Grid(size, sites);
        foreach ((SpatialSize f, SpatialSize s) in new[] { (two, two), (three, SpatialSize.Cube(3, 1)), (three, three) })
        {
            if ((1_000_000 - f[0]) % s[0] != 0)
                continue;
            (SparseGrid coarse, RuleBook merged) = ConvolutionRules.Build(grid, f, s);
            (SparseGrid hashedGrid, RuleBook hashed) = ConvolutionRules.Build(grid, f, s, direct: false);
            AssertSameRules(coarse, merged, hashedGrid, hashed, $"convolution {f}/{s}");
            (_, RuleBook back) = DeconvolutionRules.Build(coarse, f, s, grid);
            (_, RuleBook backHashed) = DeconvolutionRules.Build(coarse, f, s, grid, merged: false);
            AssertSameRules(grid, back, grid, backHashed, $"deconvolution {f}/{s}");
            (SparseGrid reached, RuleBook reachedRules) = DeconvolutionRules.Build(coarse, f, s, null);
            (SparseGrid reachedHashed, RuleBook reachedHashedRules) = DeconvolutionRules.Build(coarse, f, s, null, merged: false);
            AssertSameRules(reached, reachedRules, reachedHashed, reachedHashedRules, $"deconvolution {f}/{s} onto reached sites");
            foreach (RuleBook r in new[] { reachedRules, reachedHashedRules })
                r.Release();
            reached.Release();
            reachedHashed.Release();
            Assert.That(merged.PairCount, Is.GreaterThan(0), $"convolution {f}/{s}: pairs");
            foreach (RuleBook r in new[] { merged, hashed, back, backHashed })
                r.Release();
            coarse.Release();
            hashedGrid.Release();
        }
        grid.Release();
    }

    /// <summary>Random samples 0-5, a full sample 6 (up to 5,000 sites), sample 7 empty, one corner site in sample 8.</summary>
    private static List<(int Sample, int[] Site)> Batch(SpatialSize size, int seed, bool scattered)
    {
        List<(int Sample, int[] Site)> sites = Sites(new Random(seed), 6, size, (int)Math.Min(300, size.Volume), scattered);
        int[] c = new int[3];
        for (long lin = 0; lin < Math.Min(size.Volume, 5000); lin++)
        {
            size.Coordinate(lin, c);
            sites.Add((6, (int[])c.Clone()));
        }
        sites.Add((8, [size[0] - 1, size[1] - 1, size[2] - 1]));
        return sites;
    }

    /// <summary>A grid of 9 samples straight from sorted sites (the input layer refuses an empty sample).</summary>
    private static SparseGrid Grid(SpatialSize size, List<(int Sample, int[] Site)> sites)
    {
        const int batch = 9;
        long[][] perSample = [.. Enumerable.Range(0, batch).Select(b => sites.Where(s => s.Sample == b).Select(s => size.LinearIndex(s.Site)).Distinct().Order().ToArray())];
        int total = perSample.Sum(p => p.Length);
        long[] linear = ArrayPool<long>.Shared.Rent(Math.Max(1, total));
        int[] offsets = SparseGrid.RentOffsets(batch);
        for (int b = 0, count = 0; b < batch; count += perSample[b].Length, b++)
        {
            offsets[b] = count;
            perSample[b].CopyTo(linear, count);
        }
        offsets[batch] = total;
        return SparseGrid.Create(size, batch, linear, total, offsets);
    }

    private static Dictionary<(int, long), int> RowOf(SparseGrid grid)
    {
        Dictionary<(int, long), int> rowOf = [];
        for (int r = 0; r < grid.ActiveCount; r++)
            rowOf[(grid.SampleOfRow[r], grid.LinearIndexOfRow[r])] = r;
        return rowOf;
    }

    /// <summary>Every output site whose window holds an input, in order, then each tap's pairs output by output.</summary>
    private static void AssertConvolutionMatchesReference(SparseGrid input, SparseGrid output, RuleBook rules, SpatialSize filter, SpatialSize stride, string what)
    {
        Dictionary<(int, long), int> inRow = RowOf(input);
        SpatialSize outSize = output.Size;
        List<(int Sample, long Site)> sites = [];
        List<(int In, int Out)>[] pairs = [.. Enumerable.Range(0, (int)filter.Volume).Select(_ => new List<(int, int)>())];
        int[] o = new int[3], t = new int[3], x = new int[3];
        for (int b = 0; b < input.BatchSize; b++)
            for (long lin = 0; lin < outSize.Volume; lin++)
            {
                outSize.Coordinate(lin, o);
                List<(int Tap, int Row)> window = [];
                for (int tap = 0; tap < filter.Volume; tap++)
                {
                    filter.Coordinate(tap, t);
                    for (int d = 0; d < 3; d++)
                        x[d] = o[d] * stride[d] + t[d];
                    if (inRow.TryGetValue((b, input.Size.LinearIndex(x)), out int row))
                        window.Add((tap, row));
                }
                if (window.Count == 0)
                    continue;
                foreach ((int tap, int row) in window)
                    pairs[tap].Add((row, sites.Count));
                sites.Add((b, lin));
            }
        Assert.That(output.LinearIndexOfRow.ToArray(), Is.EqualTo(sites.Select(s => s.Site).ToArray()), $"{what}: output sites");
        Assert.That(output.SampleOfRow.ToArray(), Is.EqualTo(sites.Select(s => s.Sample).ToArray()), $"{what}: output samples");
        AssertPairs(rules, pairs, what);
    }

    /// <summary>Each output site against every tap: input (x - t) / s when that divides exactly and is active.</summary>
    private static void AssertDeconvolutionMatchesReference(SparseGrid input, SparseGrid output, RuleBook rules, SpatialSize filter, SpatialSize stride, string what)
    {
        Dictionary<(int, long), int> inRow = RowOf(input);
        List<(int In, int Out)>[] pairs = [.. Enumerable.Range(0, (int)filter.Volume).Select(_ => new List<(int, int)>())];
        int[] x = new int[3], t = new int[3], o = new int[3];
        for (int r = 0; r < output.ActiveCount; r++)
        {
            output.Size.Coordinate(output.LinearIndexOfRow[r], x);
            for (int tap = 0; tap < filter.Volume; tap++)
            {
                filter.Coordinate(tap, t);
                bool exact = true;
                for (int d = 0; d < 3; d++)
                {
                    exact &= (x[d] - t[d]) % stride[d] == 0 && x[d] >= t[d];
                    o[d] = (x[d] - t[d]) / stride[d];
                }
                if (exact && input.Size.Contains(o) && inRow.TryGetValue((output.SampleOfRow[r], input.Size.LinearIndex(o)), out int row))
                    pairs[tap].Add((row, r));
            }
        }
        AssertPairs(rules, pairs, what);
    }

    private static void AssertPairs(RuleBook rules, List<(int In, int Out)>[] pairs, string what)
    {
        Assert.That(rules.PairCount, Is.EqualTo(pairs.Sum(p => p.Count)), $"{what}: pair count");
        for (int tap = 0; tap < rules.FilterVolume; tap++)
        {
            Assert.That(rules.InputRowsOf(tap).ToArray(), Is.EqualTo(pairs[tap].Select(p => p.In).ToArray()), $"{what}: inputs of tap {tap}");
            Assert.That(rules.OutputRowsOf(tap).ToArray(), Is.EqualTo(pairs[tap].Select(p => p.Out).ToArray()), $"{what}: outputs of tap {tap}");
        }
    }
}
