using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Benchmarks.Kernels;

/// <summary>
/// The active sets the kernel benchmarks run on, by name: filled discs of ~5k and ~50k sites on 256 x 256, and a
/// sphere shell (radii 26 to 28) of ~18k sites in a 64³ grid. Features are random in [-0.5, 0.5).
/// </summary>
public static class KernelGeometry
{
    /// <summary>The names, for <c>[ParamsSource]</c>.</summary>
    public static IEnumerable<string> Names => ["disc2d-5k", "disc2d-50k", "shell3d-64"];

    /// <summary>The input tensor (owned by <paramref name="tape"/>) of geometry <paramref name="name"/> with <paramref name="channels"/> features.</summary>
    public static SparseTensor Create(string name, int channels, ISparseBackend backend, Tape tape)
    {
        Random random = new(1);
        (SpatialSize size, IEnumerable<int[]> sites) = name switch
        {
            "disc2d-5k" => (SpatialSize.Cube(2, 256), Disc(40)),
            "disc2d-50k" => (SpatialSize.Cube(2, 256), Disc(126)),
            "shell3d-64" => (SpatialSize.Cube(3, 64), Benchmarks.Geometry.Volumes3d.Shell(64, 26, 28)),
            _ => throw new ArgumentException($"Unknown geometry '{name}'."),
        };
        SparseInput input = new(1, size.Dimension, channels);
        float[] f = new float[channels];
        foreach (int[] site in sites)
        {
            for (int c = 0; c < channels; c++)
                f[c] = random.NextSingle() - 0.5f;
            input.Add(0, site, f);
        }
        return new InputLayer(size).Forward(input, backend, tape);
    }

    /// <summary>Rules of a filter of side <paramref name="filter"/> on <paramref name="x"/>: submanifold for odd sides, valid (stride 1) for even ones.</summary>
    public static RuleBook Rules(SparseTensor x, int filter) =>
        filter % 2 == 1
            ? x.Metadata.GetSubmanifoldRules(x.SpatialSize, SpatialSize.Cube(x.SpatialSize.Dimension, filter))
            : x.Metadata.GetConvolutionRules(x.SpatialSize, SpatialSize.Cube(x.SpatialSize.Dimension, filter), SpatialSize.Cube(x.SpatialSize.Dimension, 1)).Rules;

    /// <summary>Active pairs of <see cref="Rules"/> for a geometry and filter side, built once per process.</summary>
    public static int PairCount(string name, int filter)
    {
        lock (PairCounts)
        {
            if (!PairCounts.TryGetValue((name, filter), out int pairs))
            {
                using Tape tape = new(recordGradients: false);
                PairCounts[(name, filter)] = pairs = Rules(Create(name, 1, CpuBackend.Shared, tape), filter).PairCount;
            }
            return pairs;
        }
    }

    private static readonly Dictionary<(string, int), int> PairCounts = [];

    private static IEnumerable<int[]> Disc(int radius)
    {
        const int Side = 256;
        for (int i = 0; i < Side; i++)
            for (int j = 0; j < Side; j++)
                if ((i - Side / 2) * (i - Side / 2) + (j - Side / 2) * (j - Side / 2) <= radius * radius)
                    yield return [i, j];
    }
}
