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
    public void FeaturesSeeFloorsAndWalls()
    {
        // A 5 x 5 patch of floor (z = 3) and of wall (x = 3): at the centre, the floor's normal is z, the wall's x, both variation 0.
        int[] floor = [.. Enumerable.Range(0, 25).SelectMany(i => new[] { 1 + i / 5, 1 + i % 5, 3 })];
        int[] wall = [.. Enumerable.Range(0, 25).SelectMany(i => new[] { 3, 1 + i / 5, 1 + i % 5 })];
        float[] f = VoxelFeatures.Compute(new VoxelScene(floor, new int[25], 0), 8);
        float[] w = VoxelFeatures.Compute(new VoxelScene(wall, new int[25], 0), 8);
        int centre = VoxelFeatures.Count * 12;
        Assert.That(f[centre], Is.EqualTo(1f));
        Assert.That(f[centre + 1], Is.EqualTo(3f / 8));
        Assert.That(f.AsSpan(centre + 2, 6).ToArray(), Is.EqualTo(new[] { 0f, 0f, 1f, 0f, 0f, 0f }).Within(1e-6f), "floor n n^T");
        Assert.That(w.AsSpan(centre + 2, 6).ToArray(), Is.EqualTo(new[] { 1f, 0f, 0f, 0f, 0f, 0f }).Within(1e-6f), "wall n n^T");
        Assert.That(f[centre + 8], Is.EqualTo(0f).Within(1e-6f));
        Assert.That(w[centre + 8], Is.EqualTo(0f).Within(1e-6f));
        // The wide fit of a flat square patch: no variation and no preferred direction in the plane; every normal alike.
        Assert.That(f.AsSpan(centre + 9, 3).ToArray(), Is.EqualTo(new[] { 0f, 0f, 0f }).Within(1e-6f), "floor: wide variation, linearity, normal spread");
        Assert.That(w.AsSpan(centre + 9, 3).ToArray(), Is.EqualTo(new[] { 0f, 0f, 0f }).Within(1e-6f), "wall: wide variation, linearity, normal spread");
    }

    [Test]
    public void FeaturesSeeCurvedSidesAndEdges()
    {
        // A vertical cylinder wall of radius 6 and a box corner (two walls meeting at x = 10, y = 10), 12 high, in a 32^3 grid.
        int[] cylinder = [.. Enumerable.Range(0, 360).SelectMany(d => Enumerable.Range(4, 12).Select(z => (X: (int)Math.Round(16 + (6 * Math.Cos(d * Math.PI / 180))), Y: (int)Math.Round(16 + (6 * Math.Sin(d * Math.PI / 180))), Z: z)))
            .Distinct().OrderBy(p => (p.X * 32 * 32) + (p.Y * 32) + p.Z).SelectMany(p => new[] { p.X, p.Y, p.Z })];
        int[] corner = [.. Enumerable.Range(0, 11).SelectMany(i => Enumerable.Range(4, 12).SelectMany(z => new[] { (X: 10, Y: i, Z: z), (X: i, Y: 10, Z: z) }))
            .Distinct().OrderBy(p => (p.X * 32 * 32) + (p.Y * 32) + p.Z).SelectMany(p => new[] { p.X, p.Y, p.Z })];
        float Spread(int[] voxels, int x, int y, int z)
        {
            float[] features = VoxelFeatures.Compute(new VoxelScene(voxels, new int[voxels.Length / 3], 0), 32);
            int v = Enumerable.Range(0, voxels.Length / 3).Single(i => voxels[3 * i] == x && voxels[(3 * i) + 1] == y && voxels[(3 * i) + 2] == z);
            return features[(VoxelFeatures.Count * v) + 11];
        }

        float side = Spread(cylinder, 22, 16, 10), face = Spread(corner, 10, 3, 10), edge = Spread(corner, 10, 10, 10);
        Assert.That(face, Is.EqualTo(0f).Within(1e-6f), "a flat face, away from the edge");
        Assert.That(side, Is.InRange(0.05f, 0.4f), "the side of a radius-6 cylinder bends");
        Assert.That(edge, Is.GreaterThan(side), "two faces meet at the edge");
    }

    [Test]
    public void ObjectsStandOnTheFloorWithoutOverlapping()
    {
        Random random = new(11);
        for (int scene = 0; scene < 200; scene++)
        {
            double n = 64;
            PrimitiveClass[] kinds = [.. Enumerable.Range(0, 3 + random.Next(3)).Select(_ => (PrimitiveClass)(1 + random.Next(4)))];
            double[] sizes = [.. kinds.Select(_ => n * (0.08 + (0.08 * random.NextDouble())))];
            var placed = SceneGenerator.Place(kinds, sizes, n, random).Select(p => (p.X, p.Y, R: kinds[p.Object] == PrimitiveClass.Box ? sizes[p.Object] * Math.Sqrt(2) : sizes[p.Object])).ToArray();
            Assert.That(placed, Is.Not.Empty);
            foreach (var (x, y, r) in placed)
                Assert.That(x - r >= n * 0.05 && x + r <= n * 0.95 && y - r >= n * 0.05 && y + r <= n * 0.95, $"scene {scene}: ({x:F1}, {y:F1}) r {r:F1} leaves the floor");
            for (int i = 0; i < placed.Length; i++)
                for (int j = i + 1; j < placed.Length; j++)
                    Assert.That(Math.Sqrt(Math.Pow(placed[i].X - placed[j].X, 2) + Math.Pow(placed[i].Y - placed[j].Y, 2)), Is.GreaterThanOrEqualTo(placed[i].R + placed[j].R - 1e-9),
                        $"scene {scene}: objects {i} and {j} overlap");
        }
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
        Assert.That(result.Voxels, Is.GreaterThan(100), "the held-out scene's voxels were counted");
        Assert.That(result.EpochLosses, Has.Count.EqualTo(1).And.All.InRange(0.1, 3.0));
        Assert.That(File.Exists(Path.Combine(folder.Path, "results.json")) && File.Exists(Path.Combine(folder.Path, "prediction.png")), Is.True);
        Assert.That(File.Exists(Path.Combine(folder.Path, "prediction-side.png")), Is.True);
    }

    [Test]
    public void ResumeContinuesExactly()
    {
        using TempFolder whole = new(), split = new(), store = new();
        SegmentationOptions options = new()
        {
            Resolution = 16, TrainScenes = 4, TestScenes = 1, Epochs = 2, Batch = 2, Widths = [4, 8], Out = whole.Path,
        };
        SegmentationResult straight = SegmentationApp.Run(options, new TextReporter(TextWriter.Null));
        // Stop mid-epoch 1 (batch 3 of 4 overall), then resume: the same last loss and held-out results, bit for bit.
        SegmentationOptions first = options with { Out = split.Path, CheckpointFolder = store.Path, StopAfter = 3 };
        Assert.That(SegmentationApp.Run(first, new TextReporter(TextWriter.Null)).Interrupted, Is.True);
        SegmentationResult resumed = SegmentationApp.Run(first with { StopAfter = 0, Resume = true }, new TextReporter(TextWriter.Null));
        Assert.That(resumed.Interrupted, Is.False);
        Assert.That(resumed.LastLoss, Is.EqualTo(straight.LastLoss));
        Assert.That(resumed.IoU, Is.EqualTo(straight.IoU));
        Assert.That(resumed.Accuracy, Is.EqualTo(straight.Accuracy));
        Assert.That(() => SegmentationApp.Run(options with { Out = split.Path, CheckpointFolder = store.Path, Batch = 1, Resume = true }, new TextReporter(TextWriter.Null)),
            Throws.InstanceOf<SpatiallySparse.Serialization.CheckpointException>(), "a resume with other settings is refused");
    }
}
