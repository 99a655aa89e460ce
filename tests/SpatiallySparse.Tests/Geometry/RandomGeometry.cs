using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Geometry;

/// <summary>Random batches of sites and rulebook comparisons shared by the geometry tests.</summary>
internal static class RandomGeometry
{
    /// <summary>
    /// Up to <paramref name="perSample"/> distinct sites per sample: a random walk (blobs, windows partly active)
    /// or <paramref name="scattered"/> over the grid.
    /// </summary>
    public static List<(int Sample, int[] Site)> Sites(Random random, int batch, SpatialSize size, int perSample, bool scattered = false)
    {
        List<(int, int[])> sites = [];
        for (int b = 0; b < batch; b++)
        {
            HashSet<long> seen = [];
            int[] x = new int[size.Dimension];
            for (int d = 0; d < x.Length; d++)
                x[d] = random.Next(size[d]);
            for (int i = 0; i < perSample * 4 && seen.Count < perSample; i++)
            {
                for (int d = 0; d < x.Length; d++)
                    x[d] = scattered ? random.Next(size[d]) : Math.Clamp(x[d] + random.Next(-1, 2), 0, size[d] - 1);
                if (seen.Add(size.LinearIndex(x)))
                    sites.Add((b, (int[])x.Clone()));
            }
        }
        // Shuffle, so the input layer has to sort.
        return [.. sites.OrderBy(_ => random.Next())];
    }

    /// <summary>The input layer's tensor of <paramref name="sites"/>, one feature of 1 per site.</summary>
    public static SparseTensor Input(Tape tape, SpatialSize size, int batch, List<(int Sample, int[] Site)> sites)
    {
        SparseInput input = new(batch, size.Dimension, 1);
        foreach ((int b, int[] s) in sites)
            input.Add(b, s, 1f);
        return new InputLayer(size).Forward(input, CpuBackend.Shared, tape);
    }

    /// <summary>Same grid, same pairs tap by tap, same neighbour tables both ways.</summary>
    public static void AssertSameRules(SparseGrid grid, RuleBook rules, SparseGrid expectedGrid, RuleBook expected, string what)
    {
        Assert.That(grid.LinearIndexOfRow.ToArray(), Is.EqualTo(expectedGrid.LinearIndexOfRow.ToArray()), what);
        Assert.That(grid.SampleOffsets.ToArray(), Is.EqualTo(expectedGrid.SampleOffsets.ToArray()), what);
        Assert.That(rules.PairCount, Is.EqualTo(expected.PairCount), what);
        for (int t = 0; t < rules.FilterVolume; t++)
        {
            Assert.That(rules.InputRowsOf(t).ToArray(), Is.EqualTo(expected.InputRowsOf(t).ToArray()), $"{what}: tap {t}");
            Assert.That(rules.OutputRowsOf(t).ToArray(), Is.EqualTo(expected.OutputRowsOf(t).ToArray()), $"{what}: tap {t}");
        }
        Assert.That(rules.NeighbourTable.ToArray(), Is.EqualTo(expected.NeighbourTable.ToArray()), what);
        Assert.That(rules.Transposed.NeighbourTable.ToArray(), Is.EqualTo(expected.Transposed.NeighbourTable.ToArray()), what);
    }
}
