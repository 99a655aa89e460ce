using SpatiallySparse.Layers;

namespace SpatiallySparse.GpuCheck;

/// <summary>Large single-sample test geometries and MNIST-like batches.</summary>
internal static class Shapes
{
    /// <summary>Geometry only (one channel of ones): a filled disc of radius r (about pi r^2 sites) centred on a square grid of side 2r + 8.</summary>
    public static (SparseInput Input, SpatialSize Size) Disc(int radius)
    {
        int side = 2 * radius + 8, centre = side / 2;
        SparseInput input = new(1, 2, 1);
        for (int x = 0; x < side; x++)
            for (int y = 0; y < side; y++)
            {
                int dx = x - centre, dy = y - centre;
                if (dx * dx + dy * dy > radius * radius)
                    continue;
                input.Add(0, [x, y], 1f);
            }
        return (input, new SpatialSize(side, side));
    }

    /// <summary>A sphere surface (voxels within 0.9 of radius r), the typical submanifold case in 3D.</summary>
    public static (SparseInput Input, SpatialSize Size) SphereSurface(int radius)
    {
        int side = 2 * radius + 8, centre = side / 2;
        SparseInput input = new(1, 3, 1);
        double inner = (radius - 0.9) * (radius - 0.9), outer = (radius + 0.9) * (radius + 0.9);
        for (int x = 0; x < side; x++)
            for (int y = 0; y < side; y++)
                for (int z = 0; z < side; z++)
                {
                    double d = (double)(x - centre) * (x - centre) + (double)(y - centre) * (y - centre) + (double)(z - centre) * (z - centre);
                    if (d < inner || d > outer)
                        continue;
                    input.Add(0, [x, y, z], 1f);
                }
        return (input, new SpatialSize(side, side, side));
    }

    /// <summary>
    /// MNIST-like synthetic digits: per sample a random walk of about <paramref name="pixels"/> distinct pixels near
    /// the centre of a side x side grid (MNIST's 28 x 28 digits sit in the middle of DeepCNet's 96 x 96 input).
    /// </summary>
    public static SparseInput SyntheticDigits(int batch, int side, int pixels, int seed)
    {
        Random random = new(seed);
        SparseInput input = new(batch, 2, 1);
        for (int b = 0; b < batch; b++)
        {
            HashSet<(int, int)> used = [];
            int x = side / 2, y = side / 2, lo = side / 2 - 14, hi = side / 2 + 13;
            for (int step = 0; used.Count < pixels && step < 20 * pixels; step++)
            {
                x = Math.Clamp(x + random.Next(-1, 2), lo, hi);
                y = Math.Clamp(y + random.Next(-1, 2), lo, hi);
                if (used.Add((x, y)))
                    input.Add(b, [x, y], 0.5f + 0.5f * (float)random.NextDouble());
            }
        }
        return input;
    }
}
