using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Ilgpu.Tests.Conformance;

/// <summary>A random batch's geometry built through the public API: its grid and the rulebooks the cases use.</summary>
public sealed class ConformanceGeometry : IDisposable
{
    private readonly Tape _tape = new(recordGradients: false);

    /// <summary>Random distinct sites per sample (unequal counts) on a cube of side <paramref name="side"/>.</summary>
    public ConformanceGeometry(int dimension, int side, int batch, int points, int seed)
    {
        Size = SpatialSize.Cube(dimension, side);
        Random random = new(seed);
        SparseInput input = new(batch, dimension, 1);
        int[] site = new int[dimension];
        for (int b = 0; b < batch; b++)
        {
            HashSet<long> used = [];
            int count = Math.Min(points + b, (int)Size.Volume);
            while (used.Count < count)
            {
                // Sites near the centre, so windows are partly active as in real inputs.
                for (int d = 0; d < dimension; d++)
                    site[d] = Math.Clamp(side / 2 + (int)Math.Round(random.NextDouble() * side / 1.5 - side / 3.0), 0, side - 1);
                if (used.Add(Size.LinearIndex(site)))
                    input.Add(b, site, 1f);
            }
        }
        SparseTensor x = new InputLayer(Size).Forward(input, CpuBackend.Shared, _tape);
        Grid = x.Grid;
        Metadata metadata = x.Metadata;
        (SparseGrid strided, RuleBook stridedRules) = metadata.GetConvolutionRules(Size, SpatialSize.Cube(dimension, 3), SpatialSize.Cube(dimension, 1));
        (StridedGrid, StridedRules) = (strided, stridedRules);
        (SparseGrid pooled, RuleBook poolRules) = metadata.GetConvolutionRules(Size, SpatialSize.Cube(dimension, 2), SpatialSize.Cube(dimension, 2));
        (PooledGrid, PoolRules) = (pooled, poolRules);
        SubmanifoldRules = metadata.GetSubmanifoldRules(Size, SpatialSize.Cube(dimension, 3));
        (SparseGrid chained, RuleBook chainedRules) = metadata.GetConvolutionRules(strided.Size, SpatialSize.Cube(dimension, 2), SpatialSize.Cube(dimension, 2));
        (ChainedPoolGrid, ChainedPoolRules) = (chained, chainedRules);
    }

    public SpatialSize Size { get; }

    /// <summary>The input grid.</summary>
    public SparseGrid Grid { get; }

    /// <summary>Output of a valid 3^d convolution with stride 1 (overlapping windows).</summary>
    public SparseGrid StridedGrid { get; }

    public RuleBook StridedRules { get; }

    /// <summary>Output of a 2^d window with stride 2.</summary>
    public SparseGrid PooledGrid { get; }

    public RuleBook PoolRules { get; }

    /// <summary>Output of a 2^d window with stride 2 on <see cref="StridedGrid"/>: the first block of DeepCNet.</summary>
    public SparseGrid ChainedPoolGrid { get; }

    public RuleBook ChainedPoolRules { get; }

    /// <summary>3^d submanifold rules on the input grid.</summary>
    public RuleBook SubmanifoldRules { get; }

    public void Dispose() => _tape.Dispose();
}
