using System.Collections.Concurrent;
using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Geometry;

/// <summary>A batch's geometry runs on no more threads than the backend it was uploaded to.</summary>
[TestFixture]
[NonParallelizable]
public sealed class GeometryThreadsTests
{
    [TestCase(1)]
    [TestCase(2)]
    public void GeometryRunsOnNoMoreThreadsThanTheBackend(int threads)
    {
        using CpuBackend backend = new(threads: threads);
        ConcurrentDictionary<int, byte> seen = new();
        GeometryThreads.ObservedThreads = seen;
        try
        {
            // Large enough for every builder to use the worker pool when allowed: a 3D shell and a 2D blob batch.
            BuildAll(backend, SpatialSize.Cube(3, 64), 12_000, SpatialSize.Cube(3, 3));
            BuildAll(backend, SpatialSize.Cube(2, 192), 4_000, SpatialSize.Cube(2, 3));
        }
        finally
        {
            GeometryThreads.ObservedThreads = null;
        }
        Assert.That(seen.Count, Is.GreaterThan(0), "the hook saw the geometry's work items");
        Assert.That(seen.Count, Is.LessThanOrEqualTo(threads), $"threads that ran geometry: {string.Join(", ", seen.Keys)}");
    }

    private static void BuildAll(CpuBackend backend, SpatialSize size, int perSample, SpatialSize filter)
    {
        List<(int Sample, int[] Site)> sites = RandomGeometry.Sites(new Random(5), 8, size, perSample);
        SparseInput input = new(8, size.Dimension, 1);
        foreach ((int b, int[] s) in sites)
            input.Add(b, s, 1f);
        using Tape tape = new();
        SparseTensor x = new InputLayer(size).Forward(input, backend, tape);
        _ = x.Metadata.GetSubmanifoldRules(size, filter).NeighbourTable.Length;
        _ = x.Metadata.GetConvolutionRules(size, filter, SpatialSize.Cube(size.Dimension, 1)).Rules.NeighbourTable.Length;
    }
}
