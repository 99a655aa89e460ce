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
    /// <summary>Per-stroke translation bound, cells; finite, at least 0.</summary>
    public float Jitter { get; init => field = AtLeastZero(value, nameof(Jitter)); } = 1f;

    /// <summary>Stretch bound: factors in 1 ± Stretch; at least 0 and below 1 (a factor of 0 or less would collapse or mirror the character).</summary>
    public float Stretch
    {
        get;
        init => field = AtLeastZero(value, nameof(Stretch)) < 1f ? value
            : throw new ArgumentOutOfRangeException(nameof(Stretch), value, $"StrokeAugmentation.Stretch must lie in [0, 1): factors 1 ± Stretch stay positive; got {value}.");
    } = 0.3f;

    /// <summary>Bound of the rotation angle (radians) and of the slant factors; finite, at least 0.</summary>
    public float Affine { get; init => field = AtLeastZero(value, nameof(Affine)); } = 0.3f;

    /// <summary>Probability of each of rotation, x-slant and y-slant; in [0, 1].</summary>
    public float AffineProbability
    {
        get;
        init => field = value is >= 0f and <= 1f ? value
            : throw new ArgumentOutOfRangeException(nameof(AffineProbability), value, $"StrokeAugmentation.AffineProbability is a probability in [0, 1]; got {value}.");
    } = 1f / 3;

    /// <summary>Character translation bound, cells; finite, at least 0.</summary>
    public float Shift { get; init => field = AtLeastZero(value, nameof(Shift)); } = 12f;

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
            for (int i = 0; i < points.Length; i++)
                points[i] += offset; // points is MapStrokes' fresh copy
            return points;
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

    private static float AtLeastZero(float value, string name) => float.IsFinite(value) && value >= 0f ? value
        : throw new ArgumentOutOfRangeException(name, value, $"StrokeAugmentation.{name} is a bound: a finite number >= 0; got {value}.");
}
