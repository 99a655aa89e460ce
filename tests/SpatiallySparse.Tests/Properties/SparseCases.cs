using CsCheck;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Properties;

/// <summary>A generated batch: its grid, batch size, channels and points (duplicates allowed; every sample has one point or more).</summary>
internal sealed record SparseCase(int[] Extent, int Batch, int Channels, (int Sample, int[] Site, float[] Features)[] Points)
{
    public SpatialSize Size => new(Extent);

    public int Dimension => Extent.Length;

    /// <summary>The batch as the input layer's input.</summary>
    public SparseInput Input()
    {
        SparseInput input = new(Batch, Dimension, Channels);
        foreach ((int sample, int[] site, float[] features) in Points)
            input.Add(sample, site, features);
        return input;
    }

    /// <summary>The input layer's tensor (duplicates summed) on <paramref name="backend"/>.</summary>
    public SparseTensor Tensor(ISparseBackend backend, Tape tape) => new InputLayer(Size, DuplicateMode.Sum).Forward(Input(), backend, tape);

    public override string ToString() =>
        $"extent [{string.Join(", ", Extent)}], batch {Batch}, {Channels} channel(s), points " +
        string.Join("; ", Points.Select(p => $"{p.Sample}:({string.Join(",", p.Site)})"));
}

/// <summary>Generators of sparse batches: dimension 1-4, any extents, batch 1-3, duplicates, sparse and dense samples.</summary>
internal static class SparseCases
{
    /// <summary>A batch on a grid whose extents are <paramref name="extent"/>'s; up to <paramref name="maxPoints"/> points.</summary>
    public static Gen<SparseCase> On(Gen<int[]> extent, int maxChannels = 3, int maxPoints = 12) =>
        from e in extent
        from batch in Gen.Int[1, 3]
        from channels in Gen.Int[1, maxChannels]
        from raw in Gen.Select(Gen.Int[0, batch - 1], Gen.Int[0, 1 << 20].Array[e.Length], Gen.Float[-1f, 1f].Array[channels], (s, c, f) => (s, c, f)).Array[0, maxPoints]
        from duplicates in Gen.Int[0, 3]
        select Build(e, batch, channels, raw, duplicates);

    /// <summary>Dimension 1-4 with at most <paramref name="maxVolume"/> sites.</summary>
    public static Gen<int[]> Extents(int maxVolume) =>
        from dim in Gen.Int[1, 4]
        from e in Gen.Int[1, Side(dim, maxVolume)].Array[dim]
        select e;

    private static int Side(int dim, int maxVolume) => Math.Max(1, (int)Math.Floor(Math.Pow(maxVolume, 1.0 / dim)));

    private static SparseCase Build(int[] extent, int batch, int channels, (int Sample, int[] Site, float[] Features)[] raw, int duplicates)
    {
        List<(int, int[], float[])> points = [.. raw.Select(p => (p.Sample, p.Site.Select((v, d) => v % extent[d]).ToArray(), p.Features))];
        // Every sample needs a site (an empty sample is bad input, generated separately): the corner, if nothing else.
        for (int b = 0; b < batch; b++)
            if (!points.Any(p => p.Item1 == b))
                points.Add((b, new int[extent.Length], [.. Enumerable.Repeat(0.5f, channels)]));
        for (int k = 0; k < duplicates && k < points.Count; k++)
            points.Add((points[k].Item1, points[k].Item2, [.. points[k].Item3.Select(v => -v / 2)]));
        return new SparseCase(extent, batch, channels, [.. points]);
    }
}
