using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Benchmarks.Geometry;

/// <summary>
/// The 3D rule-build workloads (voxelised surfaces, 1.2-7% occupancy) and builders shared by <c>volume-rules</c>,
/// <c>shapes3d-profile</c> and <see cref="VolumeRuleBookBenchmarks"/>. Builders go through the internal entry points
/// the metadata calls, so the rules can be released after each build (the pools then serve the next one, as in a
/// training loop) without freeing the input grid.
/// </summary>
internal static class Volumes3d
{
    /// <summary>Workload names: a sphere shell in 64³, 8 scenes in 128³, a shell in 256³, 4 scenes in 256³.</summary>
    public static IEnumerable<string> Names => ["shell64", "scenes128x8", "shell256", "scenes256x4"];

    /// <summary>Builder names: 3x3x3 submanifold, 2x2x2 stride 2 convolution (also a 2x2x2 pooling's rules), 3x3x3 valid (stride 1), 2x2x2 stride 2 deconvolution onto the fine grid, the same onto every reached site.</summary>
    public static IEnumerable<string> Builders => ["submanifold3", "strided2", "valid3", "deconvolution2", "reached2"];

    public static string Describe(string name) => name switch
    {
        "shell64" => "shell 64^3 (r 26-28), 1 sample",
        "scenes128x8" => "scenes 128^3 (sphere shell, box shell, plane), batch 8",
        "shell256" => "shell 256^3 (r 100-102), 1 sample",
        "scenes256x4" => "scenes 256^3, batch 4",
        _ => throw new ArgumentException($"Unknown 3D workload '{name}'."),
    };

    /// <summary>The input tensor of workload <paramref name="name"/> (owned by <paramref name="tape"/>), one feature per site.</summary>
    public static SparseTensor Create(string name, ISparseBackend backend, Tape tape)
    {
        (int side, int batch, Func<int, int, IEnumerable<int[]>> scene) = name switch
        {
            "shell64" => (64, 1, (Func<int, int, IEnumerable<int[]>>)((_, s) => Shell(s, 26, 28))),
            "scenes128x8" => (128, 8, Scene),
            "shell256" => (256, 1, (_, s) => Shell(s, 100, 102)),
            "scenes256x4" => (256, 4, Scene),
            _ => throw new ArgumentException($"Unknown 3D workload '{name}'."),
        };
        SparseInput input = new(batch, 3, 1);
        for (int b = 0; b < batch; b++)
            foreach (int[] site in scene(b, side).Distinct(new SiteComparer()))
                input.Add(b, site, 1f);
        return new InputLayer(SpatialSize.Cube(3, side)).Forward(input, backend, tape);
    }

    /// <summary>The coarse grid a deconvolution starts from: the 2x2x2 stride 2 convolution's output of <paramref name="fine"/> (release it).</summary>
    public static SparseGrid Coarse(SparseGrid fine)
    {
        (SparseGrid coarse, RuleBook rules) = ConvolutionRules.Build(fine, SpatialSize.Cube(3, 2), SpatialSize.Cube(3, 2));
        rules.Release();
        return coarse;
    }

    /// <summary>
    /// Builds <paramref name="builder"/>'s rules on <paramref name="fine"/> (a deconvolution from <paramref name="coarse"/>
    /// onto it), releases them and any grid made, and returns the pair count.
    /// </summary>
    public static int Build(string builder, SparseGrid fine, SparseGrid coarse)
    {
        SpatialSize three = SpatialSize.Cube(3, 3), two = SpatialSize.Cube(3, 2), one = SpatialSize.Cube(3, 1);
        (SparseGrid? made, RuleBook rules) = builder switch
        {
            "submanifold3" => (null, SubmanifoldRules.Build(fine, three)),
            "strided2" => ConvolutionRules.Build(fine, two, two),
            "valid3" => ConvolutionRules.Build(fine, three, one),
            "deconvolution2" => (null, DeconvolutionRules.Build(coarse, two, two, fine).Rules),
            "reached2" => DeconvolutionRules.Build(coarse, two, two, null),
            _ => throw new ArgumentException($"Unknown 3D builder '{builder}'."),
        };
        int pairs = rules.PairCount;
        rules.Release(recycle: true);
        made?.Release(recycle: true);
        return pairs;
    }

    /// <summary>Sites whose distance from the centre lies in [inner, outer].</summary>
    public static IEnumerable<int[]> Shell(int side, double inner, double outer)
    {
        double c = (side - 1) / 2.0;
        for (int i = 0; i < side; i++)
            for (int j = 0; j < side; j++)
                for (int k = 0; k < side; k++)
                {
                    double r = Math.Sqrt((i - c) * (i - c) + (j - c) * (j - c) + (k - c) * (k - c));
                    if (r >= inner && r <= outer)
                        yield return [i, j, k];
                }
    }

    /// <summary>A sphere shell, the surface of a box and a tilted plane, placed by the sample number.</summary>
    public static IEnumerable<int[]> Scene(int sample, int side)
    {
        Random random = new(sample);
        int q = side / 4;
        double cx = q + random.Next(q), cy = q + random.Next(q), cz = q + random.Next(q), r = q * 0.8;
        for (double u = 0; u < Math.PI; u += 0.5 / r)
            for (double v = 0; v < 2 * Math.PI; v += 0.5 / r)
                yield return Clamp(side, cx + r * Math.Sin(u) * Math.Cos(v), cy + r * Math.Sin(u) * Math.Sin(v), cz + r * Math.Cos(u));
        int lo = random.Next(q), hi = lo + 2 * q;
        for (int a = lo; a <= hi; a++)
            for (int b = lo; b <= hi; b++)
                foreach (int[] s in new[] { new[] { lo, a, b }, [hi, a, b], [a, lo, b], [a, hi, b], [a, b, lo], [a, b, hi] })
                    yield return s;
        double tilt = 0.1 + 0.3 * random.NextDouble();
        for (int a = 0; a < side; a++)
            for (int b = 0; b < side; b++)
                yield return Clamp(side, a, b, side / 2 + tilt * (a - side / 2));
    }

    private static int[] Clamp(int side, double x, double y, double z) =>
        [Math.Clamp((int)Math.Round(x), 0, side - 1), Math.Clamp((int)Math.Round(y), 0, side - 1), Math.Clamp((int)Math.Round(z), 0, side - 1)];

    private sealed class SiteComparer : IEqualityComparer<int[]>
    {
        public bool Equals(int[]? a, int[]? b) => a is not null && b is not null && a.AsSpan().SequenceEqual(b);

        public int GetHashCode(int[] site) => HashCode.Combine(site[0], site[1], site[2]);
    }
}
