using MnistDeepCNet;
using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Dense;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Samples.Tests;

[TestFixture]
public sealed class DigitRasterizerTests
{
    /// <summary>Four pixels: two above the 0.02 threshold (255 and 51), one exactly at it (5.1 is not a byte: 5 is below), one zero.</summary>
    private static byte[] KnownImage()
    {
        byte[] image = new byte[28 * 28];
        image[0 * 28 + 0] = 255;
        image[13 * 28 + 27] = 51;
        image[27 * 28 + 5] = 5;
        image[20 * 28 + 20] = 6;
        return image;
    }

    [Test]
    public void CentredDigitGivesExactlyTheActivePixels()
    {
        DigitRasterizer rasterizer = new(48);
        SparseInput batch = new(1, 2, 1);
        Assert.That(rasterizer.Add(KnownImage(), batch, 0, random: null), Is.EqualTo(3));
        float[] grid = DenseFeatureMap.FromSparseInput(batch, new SpatialSize(48, 48), CpuBackend.Shared).ToArray();
        // (48 - 28) / 2 = 10: pixel (r, c) lands on site (10 + r, 10 + c).
        Dictionary<int, float> expected = new() { [10 * 48 + 10] = 1f, [23 * 48 + 37] = 51 / 255f, [30 * 48 + 30] = 6 / 255f };
        for (int site = 0; site < grid.Length; site++)
            Assert.That(grid[site], Is.EqualTo(expected.GetValueOrDefault(site)), $"site ({site / 48}, {site % 48})");

        using Tape tape = new(recordGradients: false);
        SparseTensor x = new InputLayer(new SpatialSize(48, 48)).Forward(batch, CpuBackend.Shared, tape);
        Assert.That(x.ActiveCount, Is.EqualTo(3));
        Assert.That(x.GetFeatures(), Is.EqualTo(new[] { 1f, 51 / 255f, 6 / 255f }), "features in site order");
    }

    [Test]
    public void TrainingShiftsStayWithinTwoPixelsAndKeepTheFeatures()
    {
        DigitRasterizer rasterizer = new(48);
        Random random = new(3);
        HashSet<int> seenShifts = [];
        for (int trial = 0; trial < 50; trial++)
        {
            SparseInput batch = new(1, 2, 1);
            rasterizer.Add(KnownImage(), batch, 0, random);
            float[] grid = DenseFeatureMap.FromSparseInput(batch, new SpatialSize(48, 48), CpuBackend.Shared).ToArray();
            int corner = Array.IndexOf(grid, 1f);
            int dy = corner / 48 - 10, dx = corner % 48 - 10;
            Assert.That(Math.Max(Math.Abs(dy), Math.Abs(dx)), Is.LessThanOrEqualTo(2));
            Assert.That(grid[(23 + dy) * 48 + 37 + dx], Is.EqualTo(51 / 255f));
            seenShifts.Add(dy * 5 + dx);
        }
        Assert.That(seenShifts, Has.Count.GreaterThan(10), "shifts should vary");
    }

    [Test]
    public void GridTooSmallForShiftedDigitIsRefused() =>
        Assert.That(() => new DigitRasterizer(24), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contain("l >= 4"));
}
