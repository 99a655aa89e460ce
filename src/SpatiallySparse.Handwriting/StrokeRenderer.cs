using System.Numerics;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Handwriting;

/// <summary>One active cell of a rendered character: grid row (Y), column (X) and its features.</summary>
/// <param name="Row">Grid row, from Y (down).</param>
/// <param name="Column">Grid column, from X.</param>
/// <param name="Features">Channel values, <see cref="StrokeRenderer.Channels"/> of them.</param>
public sealed record RenderedSite(int Row, int Column, float[] Features);

/// <summary>A rendered character: its active cells (sorted by row, then column) and the resampled points that fell outside the grid.</summary>
/// <param name="Sites">Active cells.</param>
/// <param name="PointsOutside">Resampled pen positions outside the grid, dropped; 0 when the character fits.</param>
public sealed record Rendering(IReadOnlyList<RenderedSite> Sites, int PointsOutside);

/// <summary>
/// Turns a normalised character (<see cref="PenCharacter.Normalize"/>, origin at its centre, units = grid cells)
/// into active sites of a square grid, as Graham's code does: each stroke is resampled at equal arc-length steps
/// of <see cref="Step"/> cells and every cell a sample lands in becomes active, the origin at the grid's middle.
/// </summary>
public sealed class StrokeRenderer
{
    /// <summary>A renderer for grids of <paramref name="gridSide"/> x <paramref name="gridSide"/> cells.</summary>
    public StrokeRenderer(int gridSide, StrokeFeatures features = StrokeFeatures.Ink, float step = 0.1f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gridSide);
        if (!Enum.IsDefined(features))
            throw new ArgumentOutOfRangeException(nameof(features), $"Unknown feature set {features}; expected 1, 3 or 9 channels.");
        if (!(step > 0f && step <= 1f))
            throw new ArgumentOutOfRangeException(nameof(step), $"The resampling step must be in (0, 1] cells (a longer step skips cells), got {step}.");
        GridSide = gridSide;
        Features = features;
        Step = step;
    }

    /// <summary>Grid side in cells.</summary>
    public int GridSide { get; }

    /// <summary>Feature set.</summary>
    public StrokeFeatures Features { get; }

    /// <summary>Arc-length step of the resampling, in cells.</summary>
    public float Step { get; }

    /// <summary>Channels per active site: 1, 3 or 9.</summary>
    public int Channels => (int)Features;

    /// <summary>Grid spatial size (2D, square).</summary>
    public SpatialSize SpatialSize => SpatialSize.Cube(2, GridSide);

    /// <summary>Renders <paramref name="character"/> and adds its sites to <paramref name="batch"/> as sample <paramref name="sample"/>.</summary>
    public Rendering Render(PenCharacter character, SparseInput batch, int sample)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Channels != Channels || batch.Dimension != 2)
            throw new ArgumentException($"The batch has {batch.Dimension} dimensions and {batch.Channels} channels; this renderer makes 2D sites with {Channels}.", nameof(batch));
        // Checked before rendering: a character with no ink on the grid would add nothing, and so never reach batch.Add's check.
        if ((uint)sample >= (uint)batch.BatchSize)
            throw new ArgumentOutOfRangeException(nameof(sample), $"Sample {sample} is outside the batch of {batch.BatchSize} (0 to {batch.BatchSize - 1}).");
        Rendering rendering = Rasterize(character);
        foreach (RenderedSite site in rendering.Sites)
            batch.Add(sample, [site.Row, site.Column], site.Features);
        return rendering;
    }

    /// <summary>The active cells of <paramref name="character"/>, one per cell (features averaged over the samples in it).</summary>
    public Rendering Rasterize(PenCharacter character)
    {
        ArgumentNullException.ThrowIfNull(character);
        Dictionary<(int Row, int Column), (float[] Sum, int Count)> cells = [];
        long outside = 0;
        // The origin maps to the middle of the grid: cell GridSide/2 - 0.5 .. GridSide/2 + 0.5 holds it for odd sides.
        float centre = GridSide / 2f;
        for (int s = 0; s < character.Strokes.Count; s++)
        {
            // Not "outside += Resample(...)": that reads outside before the callback has counted into it.
            long skipped = Resample(character.StrokePoints(s), -centre, GridSide - centre, (point, direction) =>
                {
                    int row = (int)MathF.Floor(centre + point.Y), column = (int)MathF.Floor(centre + point.X);
                    if ((uint)row >= (uint)GridSide || (uint)column >= (uint)GridSide)
                    {
                        outside = AddSaturating(outside, 1);
                        return;
                    }
                    if (!cells.TryGetValue((row, column), out (float[] Sum, int Count) cell))
                        cell = (new float[Channels], 0);
                    AddDirection(direction, cell.Sum);
                    cells[(row, column)] = (cell.Sum, cell.Count + 1);
                });
            outside = AddSaturating(outside, skipped);
        }
        RenderedSite[] sites = [.. cells.OrderBy(c => c.Key.Row).ThenBy(c => c.Key.Column).Select(c =>
        {
            float[] f = c.Value.Sum;
            // Ink is 1 wherever the pen passed; direction channels are means, so they stay in [-1, 1] however slowly the pen moved.
            for (int i = 1; i < f.Length; i++)
                f[i] /= c.Value.Count;
            f[0] = 1f;
            return new RenderedSite(c.Key.Row, c.Key.Column, f);
        })];
        return new Rendering(sites, (int)Math.Min(outside, int.MaxValue));
    }

    /// <summary>
    /// Calls <paramref name="emit"/> at the stroke's first point, then every <see cref="Step"/> of arc length, then at
    /// its last point, with the unit direction of the segment (zero for a single-point stroke). Samples that lie more
    /// than a cell outside the square [<paramref name="low"/>, <paramref name="high"/>) are not emitted but counted and
    /// returned, so the work is bounded by the grid, not by the stroke's length.
    /// </summary>
    private long Resample(ReadOnlySpan<Vector2> stroke, float low, float high, Action<Vector2, Vector2> emit)
    {
        Vector2 direction = Vector2.Zero;
        for (int i = 1; i < stroke.Length && direction == Vector2.Zero; i++)
            if (stroke[i] != stroke[0])
                direction = Vector2.Normalize(stroke[i] - stroke[0]);
        emit(stroke[0], direction);
        long skipped = 0;
        double travelled = 0; // arc length since the last emitted sample
        for (int i = 1; i < stroke.Length; i++)
        {
            Vector2 a = stroke[i - 1], b = stroke[i];
            double dx = (double)b.X - a.X, dy = (double)b.Y - a.Y, length = Math.Sqrt(dx * dx + dy * dy);
            if (length == 0 || !double.IsFinite(length))
                continue;
            direction = new Vector2((float)(dx / length), (float)(dy / length));
            skipped = AddSaturating(skipped, ResampleSegment(a, dx / length, dy / length, length, ref travelled, low - 1, high + 1, emit));
        }
        if (travelled > 0)
            emit(stroke[^1], direction);
        return skipped;
    }

    /// <summary>Sum of two non-negative counts, stopping at long.MaxValue: a far-off segment reports up to 2^61 skipped samples, and a few of them would wrap.</summary>
    private static long AddSaturating(long a, long b) => b > long.MaxValue - a ? long.MaxValue : a + b;

    /// <summary>
    /// Emits the samples first + k·Step (k = 0, 1, ...) of one segment that fall in [<paramref name="low"/>, <paramref name="high"/>]
    /// on both axes and returns how many fell outside. Double arithmetic and an integer sample index keep the position
    /// advancing at any length (a float <c>t += Step</c> stops moving at 2^21).
    /// </summary>
    private long ResampleSegment(Vector2 a, double ux, double uy, double length, ref double travelled, double low, double high, Action<Vector2, Vector2> emit)
    {
        double first = Step - travelled;
        if (first > length)
        {
            travelled += length;
            return 0;
        }
        double last = Math.Floor((length - first) / Step); // index of the last sample on the segment
        (double from, double to) = (0, length);
        ClipAxis(a.X, ux, low, high, ref from, ref to);
        ClipAxis(a.Y, uy, low, high, ref from, ref to);
        double kLow = Math.Max(0, Math.Ceiling((from - first) / Step)), kHigh = Math.Min(last, Math.Floor((to - first) / Step));
        Vector2 direction = new((float)ux, (float)uy);
        for (double k = kLow; k <= kHigh; k++)
        {
            double t = first + k * Step;
            emit(new Vector2((float)(a.X + ux * t), (float)(a.Y + uy * t)), direction);
        }
        travelled = length - (first + last * Step);
        double total = last + 1, emitted = Math.Max(0, kHigh - kLow + 1);
        return (long)Math.Min(total - emitted, long.MaxValue / 4);
    }

    /// <summary>Narrows [<paramref name="from"/>, <paramref name="to"/>] to the t where start + u·t lies in [low, high].</summary>
    private static void ClipAxis(double start, double u, double low, double high, ref double from, ref double to)
    {
        if (u == 0)
        {
            if (start < low || start > high)
                (from, to) = (1, 0);
            return;
        }
        double t1 = (low - start) / u, t2 = (high - start) / u;
        from = Math.Max(from, Math.Min(t1, t2));
        to = Math.Min(to, Math.Max(t1, t2));
    }

    private void AddDirection(Vector2 direction, float[] sum)
    {
        if (direction == Vector2.Zero)
            return;
        if (Features == StrokeFeatures.InkDirection)
        {
            sum[1] += direction.X;
            sum[2] += direction.Y;
        }
        else if (Features == StrokeFeatures.InkOctants)
        {
            // Angle in units of 45 degrees from +X (east), increasing towards +Y (south, as Y points down).
            float octant = MathF.Atan2(direction.Y, direction.X) / (MathF.PI / 4f);
            if (octant < 0f)
                octant += 8f;
            int low = (int)MathF.Floor(octant) % 8;
            float weight = octant - MathF.Floor(octant);
            sum[1 + low] += 1f - weight;
            sum[1 + (low + 1) % 8] += weight;
        }
    }
}
