using System.Numerics;
using NUnit.Framework;
using SpatiallySparse.Handwriting;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Handwriting;

[TestFixture]
public sealed class StrokeRendererTests
{
    private static Vector2 P(float x, float y) => new(x, y);

    private static PenCharacter Character(params Vector2[][] strokes) => new(strokes.Select(s => (IReadOnlyList<Vector2>)s));

    [Test]
    public void HorizontalStrokeMarksTheCellsItCrossesWithInkAndEastwardDirection()
    {
        // Grid 10: the origin is the corner of cells 5 and 4, i.e. point (x, y) is in cell (floor(5 + y), floor(5 + x)).
        StrokeRenderer renderer = new(10, StrokeFeatures.InkDirection);
        Rendering r = renderer.Rasterize(Character([P(0.25f, 0.5f), P(2.5f, 0.5f)]));
        Assert.That(r.PointsOutside, Is.Zero);
        Assert.That(r.Sites.Select(s => (s.Row, s.Column)), Is.EqualTo(new[] { (5, 5), (5, 6), (5, 7) }));
        foreach (RenderedSite s in r.Sites)
            Assert.That(s.Features, Is.EqualTo(new[] { 1f, 1f, 0f }).Within(1e-6f), $"cell {s.Row},{s.Column}");
    }

    [Test]
    public void YPointsDownAndNegativeCoordinatesLandAboveAndLeftOfTheMiddle()
    {
        StrokeRenderer renderer = new(10);
        Rendering r = renderer.Rasterize(Character([P(-3.5f, -4.5f)], [P(2.5f, 3.5f)]));
        Assert.That(r.Sites.Select(s => (s.Row, s.Column)), Is.EqualTo(new[] { (0, 1), (8, 7) }));
        Assert.That(r.Sites.Select(s => s.Features.Single()), Is.All.EqualTo(1f));
    }

    [Test]
    public void SinglePointStrokeIsInkWithoutDirection()
    {
        StrokeRenderer renderer = new(8, StrokeFeatures.InkOctants);
        Rendering r = renderer.Rasterize(Character([P(0.5f, 0.5f)]));
        Assert.That(r.Sites, Has.Count.EqualTo(1));
        Assert.That(r.Sites[0].Features, Is.EqualTo(new[] { 1f, 0, 0, 0, 0, 0, 0, 0, 0 }));
        Assert.That((r.Sites[0].Row, r.Sites[0].Column), Is.EqualTo((4, 4)));
    }

    [Test]
    public void OctantFeaturesSplitADirectionBetweenTheTwoNearestCompassPoints()
    {
        // 22.5 degrees below east (Y down): halfway between E (bin 0) and SE (bin 1).
        float a = MathF.PI / 8;
        Vector2 d = new(MathF.Cos(a), MathF.Sin(a));
        StrokeRenderer renderer = new(40, StrokeFeatures.InkOctants);
        Rendering r = renderer.Rasterize(Character([new Vector2(0.1f, 0.1f), new Vector2(0.1f, 0.1f) + 5 * d]));
        Assert.That(r.Sites, Has.Count.GreaterThan(3));
        foreach (RenderedSite s in r.Sites)
            Assert.That(s.Features, Is.EqualTo(new[] { 1f, 0.5f, 0.5f, 0, 0, 0, 0, 0, 0 }).Within(1e-4f));
        // Going north-west (up and left) is bin 5 (NW) exactly.
        Rendering back = renderer.Rasterize(Character([P(3.3f, 3.3f), P(0.3f, 0.3f)]));
        Assert.That(back.Sites.Select(s => s.Features[6]), Is.All.EqualTo(1f).Within(1e-4f));
    }

    [Test]
    public void CellFeaturesAreMeansOverTheStepsInTheCell()
    {
        // Out and back inside one cell: the x directions cancel, the ink stays 1.
        StrokeRenderer renderer = new(10, StrokeFeatures.InkDirection);
        Rendering r = renderer.Rasterize(Character([P(0.2f, 0.5f), P(0.8f, 0.5f), P(0.2f, 0.5f)]));
        Assert.That(r.Sites, Has.Count.EqualTo(1));
        Assert.That(r.Sites[0].Features[0], Is.EqualTo(1f));
        Assert.That(MathF.Abs(r.Sites[0].Features[1]), Is.LessThan(0.2f));
    }

    [Test]
    public void PointsOutsideTheGridAreDroppedAndCounted()
    {
        StrokeRenderer renderer = new(4);
        Rendering r = renderer.Rasterize(Character([P(0.5f, 0.5f), P(10.5f, 0.5f)]));
        Assert.That(r.Sites.Select(s => s.Column), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(r.PointsOutside, Is.GreaterThan(80));
    }

    [Test]
    public void AStrokeLongerThanTwoToTheTwentyOneCellsEndsAndCountsItsOutsidePoints()
    {
        // Issue 16: a float t += 0.1 stops advancing at 2^21, so this stroke (scale 1e7) used to loop for ever.
        StrokeRenderer renderer = new(10);
        Task<Rendering> run = Task.Run(() => renderer.Rasterize(Character([P(-5e6f, 0.5f), P(5e6f, 0.5f)])));
        Assert.That(run.Wait(TimeSpan.FromSeconds(20)), Is.True, "Rasterize did not return within 20 s");
        Rendering r = run.Result;
        Assert.That(r.Sites.Select(s => s.Column), Is.EqualTo(Enumerable.Range(0, 10)));
        // 1e7 cells at 0.1 per sample: ~1e8 samples, all but the ~100 inside the grid counted as outside.
        Assert.That(r.PointsOutside, Is.InRange(99_999_000, 100_000_100));
    }

    [Test]
    public void AHugeCharacterFarOutsideTheGridIsCountedWithoutVisitingEverySample()
    {
        StrokeRenderer renderer = new(10);
        Task<Rendering> run = Task.Run(() => renderer.Rasterize(Character([P(1e30f, 1e30f), P(-1e30f, 3e30f)])));
        Assert.That(run.Wait(TimeSpan.FromSeconds(20)), Is.True, "Rasterize did not return within 20 s");
        Assert.That(run.Result.Sites, Is.Empty);
        Assert.That(run.Result.PointsOutside, Is.EqualTo(int.MaxValue));
    }

    [Test]
    public void ManyHugeStrokesFarOutsideTheGridDoNotWrapTheOutsideCount()
    {
        // Each such segment counts up to 2^61 skipped samples: four of them summed past 2^63 used to wrap to a few.
        StrokeRenderer renderer = new(10);
        Vector2[] far = [P(1e30f, 1e30f), P(-1e30f, 1e30f)];
        Rendering r = renderer.Rasterize(Character(far, far, far, far, far));
        Assert.That(r.Sites, Is.Empty);
        Assert.That(r.PointsOutside, Is.EqualTo(int.MaxValue));
    }

    [Test]
    public void RenderChecksTheSampleBeforeRenderingEvenWithoutInkOnTheGrid()
    {
        StrokeRenderer renderer = new(10);
        SparseInput batch = new(1, 2, 1);
        Assert.That(() => renderer.Render(Character([P(1000, 1000)]), batch, 99),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Sample 99").And.Message.Contains("0 to 0"));
        Assert.That(batch.PointCount, Is.Zero);
    }

    [Test]
    public void ACharactersPointsCannotBeChangedFromOutside()
    {
        Vector2[] points = [P(1, 2), P(3, 4)];
        PenCharacter c = Character(points);
        points[0] = P(float.NaN, 0);
        Assert.That(c.Strokes[0], Is.Not.InstanceOf<Vector2[]>(), "a stroke is a read-only view, not the array behind it");
        Assert.That(c.Strokes, Is.Not.InstanceOf<IReadOnlyList<Vector2>[]>());
        PenCharacter moved = c.MapStrokes((_, p) =>
        {
            p[0] = P(-1, -1); // the callback's copy
            return p;
        });
        Assert.That(c.Strokes[0], Is.EqualTo(new[] { P(1, 2), P(3, 4) }));
        Assert.That(moved.Strokes[0], Is.EqualTo(new[] { P(-1, -1), P(3, 4) }));
    }

    [Test]
    public void RenderAddsOneRowPerCellToTheBatch()
    {
        StrokeRenderer renderer = new(10, StrokeFeatures.InkDirection);
        SparseInput batch = new(2, 2, 3);
        renderer.Render(Character([P(0.25f, 0.5f), P(2.5f, 0.5f)]), batch, 1);
        Assert.That(batch.PointCount, Is.EqualTo(3));
        Assert.Throws<ArgumentException>(() => renderer.Render(Character([P(0, 0)]), new SparseInput(1, 2, 1), 0));
    }

    [Test]
    public void NormalizeCentresTheBoundingBoxAndScalesTheLongerSide()
    {
        PenCharacter c = Character([P(100, 200), P(300, 200)], [P(200, 250)]).Normalize(64);
        Vector2[] all = [.. c.Strokes.SelectMany(s => s)];
        Assert.That(all.Min(p => p.X), Is.EqualTo(-32f));
        Assert.That(all.Max(p => p.X), Is.EqualTo(32f));
        Assert.That(all.Min(p => p.Y), Is.EqualTo(-8f));
        Assert.That(all.Max(p => p.Y), Is.EqualTo(8f));
        Assert.That(Character([P(5, 5)]).Normalize().Strokes[0][0], Is.EqualTo(Vector2.Zero));
    }

    [Test]
    public void BadCharactersAndSettingsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => Character());
        Assert.Throws<ArgumentException>(() => Character([]));
        Assert.Throws<ArgumentException>(() => Character([P(float.NaN, 0)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StrokeRenderer(10, (StrokeFeatures)4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StrokeRenderer(10, step: 2f));
    }
}
