using System.Numerics;
using NUnit.Framework;
using SpatiallySparse.Handwriting;

namespace SpatiallySparse.Tests.Handwriting;

[TestFixture]
public sealed class StrokeAugmentationTests
{
    // A character filling its whole normalised box: the worst case for the distortions' reach.
    private static readonly PenCharacter Box = new PenCharacter(
    [
        new Vector2[] { new(0, 0), new(100, 0), new(100, 100), new(0, 100), new(0, 0) },
        new Vector2[] { new(0, 0), new(100, 100) },
        new Vector2[] { new(50, 50) },
    ]).Normalize(64);

    [Test]
    public void EveryPointStaysInsideAGridSizedByReach()
    {
        StrokeAugmentation augmentation = new();
        int side = 2 * (int)MathF.Ceiling(augmentation.Reach(32)) + 2;
        // Step 1: the grid is convex, so a stroke is inside when its vertices are (and those are always sampled).
        StrokeRenderer renderer = new(side, step: 1f);
        Random random = new(3);
        for (int i = 0; i < 150; i++)
            Assert.That(renderer.Rasterize(augmentation.Apply(Box, random)).PointsOutside, Is.Zero, $"draw {i} on a {side} grid");
    }

    [Test]
    public void PointsPushedPastASmallGridAreReported()
    {
        // The sparse VGG grid (95) is smaller than the worst case: some distortions push ink past its border.
        StrokeAugmentation augmentation = new();
        Assert.That(augmentation.Reach(32), Is.GreaterThan(47.5f));
        StrokeRenderer renderer = new(95, step: 1f);
        Random random = new(4);
        int clipped = Enumerable.Range(0, 200).Count(_ => renderer.Rasterize(augmentation.Apply(Box, random)).PointsOutside > 0);
        Assert.That(clipped, Is.InRange(1, 199));
    }

    [Test]
    public void DistortionsStayWithinTheirBoundsAndDependOnlyOnTheSeed()
    {
        StrokeAugmentation shiftOnly = new() { Jitter = 0, Stretch = 0, Affine = 0, Shift = 12 };
        PenCharacter a = shiftOnly.Apply(Box, new Random(5)), b = shiftOnly.Apply(Box, new Random(5));
        Assert.That(a.Strokes.SelectMany(s => s), Is.EqualTo(b.Strokes.SelectMany(s => s)));
        Vector2 shift = a.Strokes[0][0] - Box.Strokes[0][0];
        Assert.That(shift, Is.Not.EqualTo(Vector2.Zero));
        Assert.That(MathF.Abs(shift.X) <= 12 && MathF.Abs(shift.Y) <= 12, Is.True);
        foreach ((Vector2 p, Vector2 q) in a.Strokes.SelectMany(s => s).Zip(Box.Strokes.SelectMany(s => s)))
            Assert.That(Vector2.Distance(p - q, shift), Is.LessThan(1e-4f), "a pure shift moves every point alike");

        StrokeAugmentation none = new() { Jitter = 0, Stretch = 0, Affine = 0, Shift = 0 };
        Assert.That(none.Apply(Box, new Random(6)).Strokes.SelectMany(s => s), Is.EqualTo(Box.Strokes.SelectMany(s => s)));
    }

    [Test]
    public void JitterMovesEachStrokeAsAWhole()
    {
        StrokeAugmentation jitterOnly = new() { Jitter = 1, Stretch = 0, Affine = 0, Shift = 0 };
        PenCharacter j = jitterOnly.Apply(Box, new Random(7));
        for (int s = 0; s < Box.Strokes.Count; s++)
        {
            Vector2 offset = j.Strokes[s][0] - Box.Strokes[s][0];
            Assert.That(MathF.Abs(offset.X) <= 1 && MathF.Abs(offset.Y) <= 1, Is.True);
            for (int i = 0; i < Box.Strokes[s].Count; i++)
                Assert.That(Vector2.Distance(j.Strokes[s][i] - Box.Strokes[s][i], offset), Is.LessThan(1e-4f));
        }
        Assert.That(j.Strokes[0][0] - Box.Strokes[0][0], Is.Not.EqualTo(j.Strokes[1][0] - Box.Strokes[1][0]));
    }

    [Test]
    public void SettingsOutsideTheirRangesAreRejectedWhenSet()
    {
        Assert.That(() => new StrokeAugmentation { Jitter = -1 }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Jitter").And.Message.Contains(">= 0"));
        Assert.That(() => new StrokeAugmentation { Shift = float.NaN }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Shift"));
        Assert.That(() => new StrokeAugmentation { Affine = float.PositiveInfinity }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Affine"));
        Assert.That(() => new StrokeAugmentation { Stretch = -0.3f }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Stretch"));
        Assert.That(() => new StrokeAugmentation { Stretch = 1 }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("[0, 1)"));
        Assert.That(() => new StrokeAugmentation() with { AffineProbability = 1.5f }, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("AffineProbability"));
        Assert.That(new StrokeAugmentation { Jitter = 0, Stretch = 0.99f, Affine = 0, AffineProbability = 0, Shift = 0 }.Stretch, Is.EqualTo(0.99f));
    }
}
