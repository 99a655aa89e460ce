using SpatiallySparse.Handwriting;
using SpatiallySparse.Samples.Common;

namespace AssameseHandwriting;

/// <summary>
/// Writes PNGs of what the network sees: for each of the first training characters, the plain rendering and one
/// distorted as in training. Ink only: black; with direction features the hue shows the pen's direction
/// (from the mean direction, or from the 8 bins' weighted mean angle), grey where the pen did not move (dots).
/// </summary>
public static class RenderedPictures
{
    /// <summary>Writes <paramref name="count"/> pairs of PNGs into <paramref name="folder"/>; returns the paths.</summary>
    public static IReadOnlyList<string> Write(AssameseTrainable model, int count, string folder, int seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        List<string> written = [];
        StrokeRenderer renderer = model.Renderer;
        for (int i = 0; i < Math.Min(count, model.TrainCount); i++)
        {
            int label = model.Labels([i], true)[0];
            foreach ((string kind, Random? random) in new[] { ("plain", (Random?)null), ("augmented", new Random(Seeds.Mix(seed, i, 7))) })
            {
                PenCharacter character = model.Prepare(i, training: true, random);
                Rendering r = renderer.Rasterize(character);
                string path = Path.Combine(folder, $"{i:000}-class{label + 1}-{kind}.png");
                SiteImage.WritePng(path, renderer.GridSide, r.Sites.Select(s => Colour(s, renderer.Features)), caption:
                    $"class {label + 1}, {kind}, {r.Sites.Count} sites" + (r.PointsOutside > 0 ? $", {r.PointsOutside} points outside" : ""));
                written.Add(path);
            }
        }
        return written;
    }

    private static SiteColour Colour(RenderedSite site, StrokeFeatures features)
    {
        float[] f = site.Features;
        (double dx, double dy) = features switch
        {
            StrokeFeatures.InkDirection => (f[1], f[2]),
            StrokeFeatures.InkOctants => (Enumerable.Range(0, 8).Sum(k => f[1 + k] * Math.Cos(k * Math.PI / 4)), Enumerable.Range(0, 8).Sum(k => f[1 + k] * Math.Sin(k * Math.PI / 4))),
            _ => (0, 0),
        };
        if (features == StrokeFeatures.Ink)
            return new SiteColour(site.Row, site.Column, 0, 0, 0);
        if (dx * dx + dy * dy < 1e-6)
            return new SiteColour(site.Row, site.Column, 128, 128, 128);
        (byte r, byte g, byte b) = SiteImage.Hue(Math.Atan2(dy, dx));
        return new SiteColour(site.Row, site.Column, r, g, b);
    }
}
