/// <summary>A point cloud: coordinates in metres (x, y, z per point, z up) and one class per point.</summary>
/// <param name="Xyz">Three coordinates per point.</param>
/// <param name="Labels">Class per point (<see cref="Scenes.Floor"/>, <see cref="Scenes.Sphere"/> or <see cref="Scenes.Box"/>).</param>
internal sealed record PointCloud(float[] Xyz, int[] Labels)
{
    /// <summary>Number of points.</summary>
    public int Count => Labels.Length;
}

/// <summary>
/// Scenes generated in code, standing in for scans: a floor with three objects on it (each a sphere or a box
/// turned about the vertical), sampled on their surfaces at about 3 points per 10 x 10 cm, with 1.5 cm noise, in a
/// 3.2 m cube. Scene i depends on i alone.
/// </summary>
internal static class Scenes
{
    public const int Floor = 0, Sphere = 1, Box = 2, ClassCount = 3;

    public static readonly string[] ClassNames = ["floor", "sphere", "box"];

    private const float PointsPerSquareMetre = 300f, Noise = 0.015f, FloorHeight = 0.25f;

    /// <summary>Scene <paramref name="index"/>.</summary>
    public static PointCloud Generate(int index)
    {
        Random random = new(index);
        List<float> xyz = [];
        List<int> labels = [];
        Sample(2.6f * 2.6f, Floor, random, xyz, labels, r => (0.3f + 2.6f * r.NextSingle(), 0.3f + 2.6f * r.NextSingle(), FloorHeight));
        // Three of the four quarters of the floor get an object each.
        int empty = random.Next(4);
        for (int quarter = 0; quarter < 4; quarter++)
        {
            if (quarter == empty)
                continue;
            float cx = (quarter % 2 == 0 ? 0.95f : 2.25f) + 0.2f * (random.NextSingle() - 0.5f);
            float cy = (quarter / 2 == 0 ? 0.95f : 2.25f) + 0.2f * (random.NextSingle() - 0.5f);
            if (random.Next(2) == 0)
                AddSphere(cx, cy, 0.3f + 0.25f * random.NextSingle(), random, xyz, labels);
            else
                AddBox(cx, cy, random, xyz, labels);
        }
        for (int i = 0; i < xyz.Count; i++)
            xyz[i] += Noise * Gaussian(random);
        return new PointCloud([.. xyz], [.. labels]);
    }

    private static void AddSphere(float cx, float cy, float radius, Random random, List<float> xyz, List<int> labels) =>
        Sample(4 * MathF.PI * radius * radius, Sphere, random, xyz, labels, r =>
        {
            float z = 2 * r.NextSingle() - 1, phi = 2 * MathF.PI * r.NextSingle(), s = MathF.Sqrt(1 - z * z);
            return (cx + radius * s * MathF.Cos(phi), cy + radius * s * MathF.Sin(phi), FloorHeight + radius * (1 + z));
        });

    private static void AddBox(float cx, float cy, Random random, List<float> xyz, List<int> labels)
    {
        float a = 0.25f + 0.25f * random.NextSingle(), b = 0.25f + 0.25f * random.NextSingle(), h = 0.4f + 0.6f * random.NextSingle();
        float angle = MathF.PI * random.NextSingle(), cos = MathF.Cos(angle), sin = MathF.Sin(angle);
        // Four sides and the top, each sampled by its area; the bottom rests on the floor.
        float sides = 4 * (a + b) * h, top = 4 * a * b;
        Sample(sides + top, Box, random, xyz, labels, r =>
        {
            float u = 2 * r.NextSingle() - 1, v = r.NextSingle();
            float pick = (sides + top) * r.NextSingle();
            (float x, float y, float z) = pick < top ? (a * u, b * (2 * v - 1), h)
                : pick < top + sides / 2 * a / (a + b) ? (a * u, b, h * v)
                : pick < top + sides * a / (a + b) ? (a * u, -b, h * v)
                : pick < top + sides * (a + b / 2) / (a + b) ? (a, b * u, h * v)
                : (-a, b * u, h * v);
            return (cx + cos * x - sin * y, cy + sin * x + cos * y, FloorHeight + z);
        });
    }

    private static void Sample(float area, int label, Random random, List<float> xyz, List<int> labels, Func<Random, (float X, float Y, float Z)> point)
    {
        int count = (int)(area * PointsPerSquareMetre);
        for (int i = 0; i < count; i++)
        {
            (float x, float y, float z) = point(random);
            xyz.Add(x);
            xyz.Add(y);
            xyz.Add(z);
            labels.Add(label);
        }
    }

    private static float Gaussian(Random random) =>
        MathF.Sqrt(-2 * MathF.Log(1 - random.NextSingle())) * MathF.Cos(2 * MathF.PI * random.NextSingle());
}
