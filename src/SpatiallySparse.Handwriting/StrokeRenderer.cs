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
        int outside = 0;
        // The origin maps to the middle of the grid: cell GridSide/2 - 0.5 .. GridSide/2 + 0.5 holds it for odd sides.
        float centre = GridSide / 2f;
        foreach (Vector2[] stroke in character.Strokes)
            Resample(stroke, (point, direction) =>
            {
                int row = (int)MathF.Floor(centre + point.Y), column = (int)MathF.Floor(centre + point.X);
                if ((uint)row >= (uint)GridSide || (uint)column >= (uint)GridSide)
                {
                    outside++;
                    return;
                }
                if (!cells.TryGetValue((row, column), out (float[] Sum, int Count) cell))
                    cell = (new float[Channels], 0);
                AddDirection(direction, cell.Sum);
                cells[(row, column)] = (cell.Sum, cell.Count + 1);
            });
        RenderedSite[] sites = [.. cells.OrderBy(c => c.Key.Row).ThenBy(c => c.Key.Column).Select(c =>
        {
            float[] f = c.Value.Sum;
            // Ink is 1 wherever the pen passed; direction channels are means, so they stay in [-1, 1] however slowly the pen moved.
            for (int i = 1; i < f.Length; i++)
                f[i] /= c.Value.Count;
            f[0] = 1f;
            return new RenderedSite(c.Key.Row, c.Key.Column, f);
        })];
        return new Rendering(sites, outside);
    }

    /// <summary>
    /// Calls <paramref name="emit"/> at the stroke's first point, then every <see cref="Step"/> of arc length, then at
    /// its last point, with the unit direction of the segment (zero for a single-point stroke).
    /// </summary>
    private void Resample(Vector2[] stroke, Action<Vector2, Vector2> emit)
    {
        Vector2 direction = Vector2.Zero;
        for (int i = 1; i < stroke.Length && direction == Vector2.Zero; i++)
            if (stroke[i] != stroke[0])
                direction = Vector2.Normalize(stroke[i] - stroke[0]);
        emit(stroke[0], direction);
        float travelled = 0f; // arc length since the last emitted sample
        for (int i = 1; i < stroke.Length; i++)
        {
            Vector2 a = stroke[i - 1], b = stroke[i];
            float length = Vector2.Distance(a, b);
            if (length == 0f)
                continue;
            direction = (b - a) / length;
            float t = Step - travelled;
            for (; t <= length; t += Step)
                emit(a + direction * t, direction);
            travelled = length - (t - Step);
        }
        if (travelled > 0f)
            emit(stroke[^1], direction);
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
