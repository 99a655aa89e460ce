namespace PointCloudSegmentation;

/// <summary>The classes of surface points: the primitive each point was sampled from.</summary>
public enum PrimitiveClass
{
    /// <summary>The floor plane.</summary>
    Floor,

    /// <summary>A sphere.</summary>
    Sphere,

    /// <summary>A box (cuboid).</summary>
    Box,

    /// <summary>A cylinder.</summary>
    Cylinder,

    /// <summary>A cone.</summary>
    Cone,
}

/// <summary>A scanned scene: points (x, y, z triples, grid units) and one class per point.</summary>
/// <param name="Index">The scene's number, used in error messages.</param>
/// <param name="Points">Coordinates, 3 per point.</param>
/// <param name="Labels">Class per point (a <see cref="PrimitiveClass"/> value).</param>
public sealed record Scene(int Index, float[] Points, int[] Labels)
{
    /// <summary>Number of classes.</summary>
    public const int ClassCount = 5;

    /// <summary>Number of points.</summary>
    public int Count => Labels.Length;
}
