using System.Numerics;

namespace SpatiallySparse.Handwriting;

/// <summary>
/// An online handwritten character: its strokes in drawing order, each the pen positions from pen-down to
/// pen-up, in any units with Y pointing down (as tablets report them). A stroke may be a single point (a dot).
/// </summary>
public sealed class PenCharacter
{
    // Owned arrays, never handed out: the points were checked once, so nothing may change them afterwards.
    private readonly Vector2[][] _strokes;

    /// <summary>Wraps <paramref name="strokes"/> (copied); every stroke needs at least one point, every point finite.</summary>
    public PenCharacter(IEnumerable<IReadOnlyList<Vector2>> strokes)
        : this(Copy(strokes))
    {
    }

    /// <summary>Takes <paramref name="strokes"/> as its own (no copy), after checking them.</summary>
    private PenCharacter(Vector2[][] strokes)
    {
        if (strokes.Length == 0)
            throw new ArgumentException("A character needs at least one stroke.", nameof(strokes));
        foreach (Vector2 p in strokes.SelectMany(s => s))
            if (!float.IsFinite(p.X) || !float.IsFinite(p.Y))
                throw new ArgumentException($"Point {p} is not finite.", nameof(strokes));
        _strokes = strokes;
        Strokes = Array.AsReadOnly(Array.ConvertAll(strokes, s => (IReadOnlyList<Vector2>)Array.AsReadOnly(s)));
    }

    /// <summary>The strokes, each at least one point; read-only views of the character's own points.</summary>
    public IReadOnlyList<IReadOnlyList<Vector2>> Strokes { get; }

    /// <summary>Total number of points.</summary>
    public int PointCount => _strokes.Sum(s => s.Length);

    /// <summary>The points of stroke <paramref name="index"/>, without a copy (for the renderer).</summary>
    internal ReadOnlySpan<Vector2> StrokePoints(int index) => _strokes[index];

    /// <summary>
    /// The character centred on its bounding box's centre and scaled (same factor in x and y, so the shape is
    /// kept) until the longer side is <paramref name="size"/>. A character that is a single point stays a point at the origin.
    /// </summary>
    public PenCharacter Normalize(float size = 64f)
    {
        if (!(size > 0f) || !float.IsFinite(size))
            throw new ArgumentOutOfRangeException(nameof(size), $"The normalised size must be positive, got {size}.");
        Vector2 min = new(float.MaxValue), max = new(float.MinValue);
        foreach (Vector2 p in _strokes.SelectMany(s => s))
        {
            min = Vector2.Min(min, p);
            max = Vector2.Max(max, p);
        }
        Vector2 centre = (min + max) / 2, extent = max - min;
        float longer = Math.Max(extent.X, extent.Y);
        float scale = longer > 0f ? size / longer : 1f;
        return Map(p => (p - centre) * scale);
    }

    /// <summary>A copy with <paramref name="map"/> applied to every point.</summary>
    public PenCharacter Map(Func<Vector2, Vector2> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return new PenCharacter(Array.ConvertAll(_strokes, s => Array.ConvertAll(s, p => map(p))));
    }

    /// <summary>
    /// A copy with <paramref name="map"/> applied to each stroke (index, points): the points are a fresh copy the
    /// callback may change and return; what it returns is copied.
    /// </summary>
    public PenCharacter MapStrokes(Func<int, Vector2[], Vector2[]> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return new PenCharacter(_strokes.Select((s, i) => (IReadOnlyList<Vector2>)map(i, (Vector2[])s.Clone())));
    }

    /// <summary>E.g. <c>PenCharacter(3 strokes, 120 points)</c>.</summary>
    public override string ToString() => $"PenCharacter({_strokes.Length} strokes, {PointCount} points)";

    private static Vector2[][] Copy(IEnumerable<IReadOnlyList<Vector2>> strokes)
    {
        ArgumentNullException.ThrowIfNull(strokes);
        return [.. strokes.Select((s, i) => s is { Count: > 0 } ? s.ToArray() : throw new ArgumentException($"Stroke {i} has no points.", nameof(strokes)))];
    }
}
