using NUnit.Framework;
using PointCloudSegmentation;
using SpatiallySparse.Samples.Common;

namespace SpatiallySparse.Samples.Tests;

/// <summary>The point-cloud sample: deterministic scenes, checked voxelisation, and a tiny end-to-end run.</summary>
[TestFixture]
public sealed class PointCloudSegmentationTests
{
    [Test]
    public void ScenesDependOnSeedAndIndexAlone()
    {
        Scene a = new SceneGenerator(32, seed: 3).Generate(5), b = new SceneGenerator(32, seed: 3).Generate(5);
        Scene other = new SceneGenerator(32, seed: 4).Generate(5);
        Assert.That(a.Points, Is.EqualTo(b.Points));
        Assert.That(a.Labels, Is.EqualTo(b.Labels));
        Assert.That(other.Points, Is.Not.EqualTo(a.Points));
        Assert.That(a.Labels.Distinct().Count(), Is.GreaterThanOrEqualTo(3), "a floor and at least two kinds of object");
    }

    [Test]
    public void VoxelsAreOrderedAndCountPointsOutside()
    {
        Scene scene = new(7, [1.5f, 1.5f, 1.5f, 0.2f, 0.1f, 3.9f, 9f, 0f, 0f, 1.2f, 1.7f, 1.1f], [2, 0, 1, 2]);
        VoxelScene voxels = Voxelizer.Voxelize(scene, 4);
        Assert.That(voxels.PointsOutside, Is.EqualTo(1));
        Assert.That(voxels.Coordinates, Is.EqualTo(new[] { 0, 0, 3, 1, 1, 1 }));
        Assert.That(voxels.Labels, Is.EqualTo(new[] { 0, 2 }));
    }

    [Test]
    public void BadScenesAreRefusedNamingSceneAndPoint()
    {
        Assert.That(() => Voxelizer.Voxelize(new Scene(3, [], []), 8), Throws.ArgumentException.With.Message.Contains("Scene 3 has no points"));
        Assert.That(() => Voxelizer.Voxelize(new Scene(4, [1, 1, 1, 1, float.NaN, 1], [0, 0]), 8),
            Throws.ArgumentException.With.Message.Contains("Scene 4, point 1: coordinate 1 is NaN"));
        Assert.That(() => Voxelizer.Voxelize(new Scene(5, [1, 1, 1], [7]), 8),
            Throws.ArgumentException.With.Message.Contains("Scene 5, point 0: label 7 is outside [0, 4]"));
    }

    [Test]
    public void TinyRunWritesResults()
    {
        using TempFolder folder = new();
        SegmentationOptions options = new()
        {
            Resolution = 16, TrainScenes = 2, TestScenes = 1, Epochs = 1, Batch = 2, Widths = [4, 8], Out = folder.Path,
        };
        SegmentationResult result = SegmentationApp.Run(options, new TextReporter(TextWriter.Null));
        Assert.That(result.IoU, Has.Length.EqualTo(5));
        Assert.That(result.Accuracy, Is.InRange(0.0, 1.0));
        Assert.That(File.Exists(Path.Combine(folder.Path, "results.json")) && File.Exists(Path.Combine(folder.Path, "prediction.png")), Is.True);
    }
}
