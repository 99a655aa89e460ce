using System.Numerics;

namespace SpatiallySparse.Handwriting;

/// <summary>
/// Graham's training-time distortions of online characters, applied to a normalised character (units = grid
/// cells): each stroke moved by U(-Jitter, Jitter) in x and y; x and y stretched by independent
/// 1 + U(-Stretch, Stretch); then, each with probability <see cref="AffineProbability"/>, a rotation, an x-slant
/// and a y-slant by U(-Affine, Affine); finally the character shifted by U(-Shift, Shift) in x and y.
/// </summary>
public sealed record StrokeAugmentation
{
    /// <summary>Per-stroke translation bound, cells.</summary>
    public float Jitter { get; init; } = 1f;

    /// <summary>Stretch bound: factors in 1 ± Stretch.</summary>
    public float Stretch { get; init; } = 0.3f;

    /// <summary>Bound of the rotation angle (radians) and of the slant factors.</summary>
    public float Affine { get; init; } = 0.3f;

    /// <summary>Probability of each of rotation, x-slant and y-slant.</summary>
    public float AffineProbability { get; init; } = 1f / 3;

    /// <summary>Character translation bound, cells.</summary>
    public float Shift { get; init; } = 12f;

    /// <summary>
    /// The largest distance from the origin a point at distance <paramref name="radius"/> (in x and y, before
    /// augmentation) can reach in x or y: a bound to size the grid so no point falls outside.
    /// </summary>
    public float Reach(float radius)
    {
        float r = (radius + Jitter) * (1 + Stretch);
        // Rotation then both slants, in the worst case each growing the larger coordinate.
        float rotated = r * (MathF.Abs(MathF.Cos(Affine)) + MathF.Abs(MathF.Sin(Affine)));
        return rotated * (1 + Affine) * (1 + Affine) + Shift;
    }

    /// <summary>A distorted copy of <paramref name="character"/>; all draws come from <paramref name="random"/>.</summary>
    public PenCharacter Apply(PenCharacter character, Random random)
    {
        ArgumentNullException.ThrowIfNull(character);
        ArgumentNullException.ThrowIfNull(random);
        PenCharacter jittered = character.MapStrokes((_, points) =>
        {
            Vector2 offset = new(Uniform(random, Jitter), Uniform(random, Jitter));
            return Array.ConvertAll(points, p => p + offset);
        });
        Matrix3x2 m = Matrix3x2.CreateScale(1 + Uniform(random, Stretch), 1 + Uniform(random, Stretch));
        if (random.NextSingle() < AffineProbability)
            m *= Matrix3x2.CreateRotation(Uniform(random, Affine));
        if (random.NextSingle() < AffineProbability)
            m *= new Matrix3x2(1, 0, Uniform(random, Affine), 1, 0, 0); // x += a y
        if (random.NextSingle() < AffineProbability)
            m *= new Matrix3x2(1, Uniform(random, Affine), 0, 1, 0, 0); // y += a x
        m *= Matrix3x2.CreateTranslation(Uniform(random, Shift), Uniform(random, Shift));
        return jittered.Map(p => Vector2.Transform(p, m));
    }

    private static float Uniform(Random random, float bound) => (random.NextSingle() * 2f - 1f) * bound;
}
