namespace PointCloudSegmentation;

/// <summary>
/// Scenes generated in code: a floor and several primitives (spheres, boxes, cylinders, cones) of random size,
/// position and rotation standing on it, close enough to touch, sampled on their surfaces and seen from one side
/// as a scanner sees them (back faces dropped), with Gaussian point noise. Scene i depends on (seed, i) alone.
/// </summary>
public sealed class SceneGenerator(int resolution, int seed, float noise = 0.35f, float pointsPerArea = 2.5f)
{
    /// <summary>Grid side in voxels.</summary>
    public int Resolution { get; } = resolution;

    /// <summary>Scene <paramref name="index"/>.</summary>
    public Scene Generate(int index)
    {
        // Not HashCode.Combine: it is seeded per process, so scene i would differ between runs (and between a run and its resume).
        Random random = new(SpatiallySparse.Data.BatchSeeds.Mix(seed, 0x5ce7e, index));
        double n = Resolution;
        double[] view = Normalize([random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1, 0.5 + random.NextDouble()]);
        List<float> points = [];
        List<int> labels = [];
        double floor = n * 0.1;
        Surface floorSurface = (u, v) => ([n * 0.05 + u * n * 0.9, n * 0.05 + v * n * 0.9, floor], [0, 0, 1]);
        Sample(floorSurface, n * n * 0.81, PrimitiveClass.Floor, view, random, points, labels);
        int objects = 3 + random.Next(3);
        PrimitiveClass[] kinds = new PrimitiveClass[objects];
        double[] sizes = new double[objects];
        for (int o = 0; o < objects; o++)
            (kinds[o], sizes[o]) = ((PrimitiveClass)(1 + random.Next(4)), n * (0.08 + 0.08 * random.NextDouble()));
        foreach ((double x, double y, int o) in Place(kinds, sizes, n, random))
        {
            double angle = random.NextDouble() * Math.PI;
            (Surface surface, double area) = Primitive(kinds[o], sizes[o], random);
            Surface placed = (u, v) =>
            {
                (double[] p, double[] normal) = surface(u, v);
                return (Translate(Rotate(p, angle), x, y, floor), Rotate(normal, angle));
            };
            Sample(placed, area, kinds[o], view, random, points, labels);
        }
        AddNoise(points, random);
        return new Scene(index, [.. points], [.. labels]);
    }

    /// <summary>A point and its outward normal at surface coordinates (u, v) in [0, 1)^2, before placement (base at z = 0).</summary>
    private delegate (double[] Point, double[] Normal) Surface(double u, double v);

    private static (Surface Surface, double Area) Primitive(PrimitiveClass kind, double s, Random random)
    {
        double h = s * (1.2 + random.NextDouble());
        return kind switch
        {
            PrimitiveClass.Sphere => ((u, v) =>
            {
                double phi = 2 * Math.PI * u, z = 2 * v - 1, r = Math.Sqrt(1 - z * z);
                double[] d = [r * Math.Cos(phi), r * Math.Sin(phi), z];
                return ([s * d[0], s * d[1], s + s * d[2]], d);
            }, 4 * Math.PI * s * s),
            PrimitiveClass.Cylinder => ((u, v) =>
            {
                double phi = 2 * Math.PI * u;
                double[] d = [Math.Cos(phi), Math.Sin(phi), 0];
                return v < 0.8 ? ([s * d[0], s * d[1], h * v / 0.8], d) : ([s * Math.Sqrt((v - 0.8) / 0.2) * d[0], s * Math.Sqrt((v - 0.8) / 0.2) * d[1], h], [0, 0, 1]);
            }, 2 * Math.PI * s * h + Math.PI * s * s),
            PrimitiveClass.Cone => ((u, v) =>
            {
                double phi = 2 * Math.PI * u, r = s * Math.Sqrt(v);
                double slant = s / h;
                return ([r * Math.Cos(phi), r * Math.Sin(phi), h * (1 - r / s)], Normalize([Math.Cos(phi), Math.Sin(phi), slant]));
            }, Math.PI * s * Math.Sqrt(s * s + h * h)),
            _ => BoxSurface(s, h),
        };
    }

    private static (Surface Surface, double Area) BoxSurface(double s, double h)
    {
        // Four sides and the top, chosen by u; the bottom touches the floor and is never seen.
        Surface surface = (u, v) =>
        {
            int face = Math.Min(4, (int)(u * 5));
            double t = u * 5 - face;
            return face switch
            {
                0 => ([-s + 2 * s * t, -s, h * v], [0, -1, 0]),
                1 => ([s, -s + 2 * s * t, h * v], [1, 0, 0]),
                2 => ([-s + 2 * s * t, s, h * v], [0, 1, 0]),
                3 => ([-s, -s + 2 * s * t, h * v], [-1, 0, 0]),
                _ => ([-s + 2 * s * t, -s + 2 * s * v, h], [0, 0, 1]),
            };
        };
        return (surface, 8 * s * h + 4 * s * s);
    }

    /// <summary>
    /// Object centres on the floor: each next to an earlier one, its footprint (a circle round the object: a box's
    /// reaches its corners) touching or up to 2% of the side from the other's, never overlapping any placed object,
    /// and inside the floor. Solid objects do not pass through each other, and where they did a box and a cylinder
    /// would share voxels whose surfaces cross. An object that finds no place in 64 tries is left out.
    /// </summary>
    internal static IEnumerable<(double X, double Y, int Object)> Place(PrimitiveClass[] kinds, double[] sizes, double n, Random random)
    {
        List<(double X, double Y, double R)> placed = [];
        for (int o = 0; o < kinds.Length; o++)
        {
            double r = kinds[o] == PrimitiveClass.Box ? sizes[o] * Math.Sqrt(2) : sizes[o];
            for (int attempt = 0; attempt < 64; attempt++)
            {
                (double x, double y) = placed.Count == 0
                    ? (n * (0.35 + 0.3 * random.NextDouble()), n * (0.35 + 0.3 * random.NextDouble()))
                    : Beside(placed[random.Next(placed.Count)], r, n, random);
                bool onFloor = x - r >= n * 0.05 && x + r <= n * 0.95 && y - r >= n * 0.05 && y + r <= n * 0.95;
                if (onFloor && placed.TrueForAll(p => Math.Sqrt(((p.X - x) * (p.X - x)) + ((p.Y - y) * (p.Y - y))) >= p.R + r))
                {
                    placed.Add((x, y, r));
                    yield return (x, y, o);
                    break;
                }
            }
        }
    }

    private static (double X, double Y) Beside((double X, double Y, double R) anchor, double r, double n, Random random)
    {
        double angle = random.NextDouble() * 2 * Math.PI, distance = anchor.R + r + n * 0.02 * random.NextDouble();
        return (anchor.X + distance * Math.Cos(angle), anchor.Y + distance * Math.Sin(angle));
    }

    private void Sample(Surface surface, double area, PrimitiveClass kind, double[] view, Random random, List<float> points, List<int> labels)
    {
        int count = (int)(area * pointsPerArea);
        for (int i = 0; i < count; i++)
        {
            (double[] p, double[] normal) = surface(random.NextDouble(), random.NextDouble());
            if (Dot(normal, view) <= 0)
                continue;  // a back face: the scanner does not see it
            points.Add((float)p[0]);
            points.Add((float)p[1]);
            points.Add((float)p[2]);
            labels.Add((int)kind);
        }
    }

    private void AddNoise(List<float> points, Random random)
    {
        for (int i = 0; i < points.Count; i++)
        {
            double g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            points[i] += (float)(noise * g);
        }
    }

    private static double[] Rotate(double[] p, double angle) =>
        [p[0] * Math.Cos(angle) - p[1] * Math.Sin(angle), p[0] * Math.Sin(angle) + p[1] * Math.Cos(angle), p[2]];

    private static double[] Translate(double[] p, double x, double y, double z) => [p[0] + x, p[1] + y, p[2] + z];

    private static double Dot(double[] a, double[] b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

    private static double[] Normalize(double[] a)
    {
        double l = Math.Sqrt(Dot(a, a));
        return [a[0] / l, a[1] / l, a[2] / l];
    }
}
