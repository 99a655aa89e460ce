using NUnit.Framework;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Dense;
using SpatiallySparse.Layers;
using SpatiallySparse.Tests.Support;

namespace SpatiallySparse.Tests.Dense;

/// <summary>What <see cref="DenseFeatureMap.FromSparseInput"/> writes, and what it refuses instead of dropping silently.</summary>
[TestFixture]
public sealed class DenseFeatureMapTests
{
    [Test]
    public void PointsLandAtTheirSitesAndDuplicatesAreSummed()
    {
        SparseInput points = new(2, 2, 1);
        points.Add(0, [0, 1], [2f]);
        points.Add(1, [1, 0], [3f]);
        points.Add(1, [1, 0], [4f]);
        float[] grid = DenseFeatureMap.FromSparseInput(points, SpatialSize.Cube(2, 2), CpuBackend.Shared).ToArray();
        Assert.That(grid, Is.EqualTo(new float[] { 0, 2, 0, 0, 0, 0, 7, 0 }));
    }

    [Test]
    public void AnInputAskingForGradientsIsRefusedRatherThanLeftWithout()
    {
        SparseInput points = new(1, 2, 1) { RequiresGradient = true };
        points.Add(0, [0, 0], [1f]);
        Assert.That(() => DenseFeatureMap.FromSparseInput(points, SpatialSize.Cube(2, 2), CpuBackend.Shared),
            Throws.ArgumentException.With.Message.Contains("RequiresGradient").And.Property("ParamName").EqualTo("input"));
    }

    [Test]
    public void ABackendOtherThanTheCpuIsRefusedAtTheEntry()
    {
        SparseInput points = new(1, 2, 1);
        using ForeignBackend foreign = new();
        Assert.That(() => DenseFeatureMap.FromSparseInput(points, SpatialSize.Cube(2, 2), foreign),
            Throws.InstanceOf<NotSupportedException>().With.Message.Contains("CPU backend; got 'foreign'"));
    }
}
