namespace SpatiallySparse.Handwriting;

/// <summary>What each active site of a rendered character holds (the number is the channel count).</summary>
public enum StrokeFeatures
{
    /// <summary>Ink only: 1 at every cell the pen passes through.</summary>
    Ink = 1,

    /// <summary>Ink, then the mean unit direction of the pen in the cell (dx, dy; Y down).</summary>
    InkDirection = 3,

    /// <summary>
    /// Ink, then 8 direction bins (E, SE, S, SW, W, NW, N, NE with Y down): each step's direction is split between
    /// the two nearest compass directions by linear interpolation of its angle, and the cell holds the mean.
    /// </summary>
    InkOctants = 9,
}
