namespace PointCloudSegmentation;

/// <summary>
/// Per-voxel input features computed from the occupancy alone, as a scanner pipeline would: a constant 1, the
/// height (z / side; scanners know which way is up), and from a principal-component fit of the occupied voxels
/// within <see cref="Radius"/> the normal's orientation tensor n nᵀ (xx, yy, zz, xy, xz, yz: the normal up to
/// its sign, which a one-sided fit cannot know) and the surface variation 3 λ_min / (λ_0 + λ_1 + λ_2) (0 on a
/// plane, 1 on an isotropic blob). A constant 1 alone carries no local shape, so the network would first have to
/// learn planes and curvature from context. With the orientation, a few convolutions see whether the normal is
/// constant along a face (a box) or turns around the object (a cylinder, a cone), which a 5-20 voxel wide object
/// shows only at the finest levels.
/// </summary>
public static class VoxelFeatures
{
    /// <summary>Features per voxel.</summary>
    public const int Count = 9;

    /// <summary>Neighbourhood half-width of the normal fit, in voxels (5³ window: wide enough to average the point noise).</summary>
    public const int Radius = 2;

    /// <summary>Features of every voxel of <paramref name="scene"/>, <see cref="Count"/> per voxel, in the scene's voxel order.</summary>
    public static float[] Compute(VoxelScene scene, int side)
    {
        ArgumentNullException.ThrowIfNull(scene);
        int[] c = scene.Coordinates;
        HashSet<long> occupied = new(scene.Count);
        for (int v = 0; v < scene.Count; v++)
            occupied.Add(Key(c[3 * v], c[3 * v + 1], c[3 * v + 2], side));
        float[] features = new float[Count * scene.Count];
        double[] cov = new double[6];
        for (int v = 0; v < scene.Count; v++)
        {
            Covariance(occupied, c[3 * v], c[3 * v + 1], c[3 * v + 2], side, cov);
            (double[] n, double variation) = Fit(cov);
            Span<float> f = features.AsSpan(Count * v, Count);
            f[0] = 1f;
            f[1] = (float)c[3 * v + 2] / side;
            f[2] = (float)(n[0] * n[0]);
            f[3] = (float)(n[1] * n[1]);
            f[4] = (float)(n[2] * n[2]);
            f[5] = (float)(n[0] * n[1]);
            f[6] = (float)(n[0] * n[2]);
            f[7] = (float)(n[1] * n[2]);
            f[8] = (float)variation;
        }
        return features;
    }

    private static long Key(int x, int y, int z, int side) => ((long)x * side + y) * side + z;

    /// <summary>The covariance (xx, yy, zz, xy, xz, yz) of the occupied voxels around (x, y, z).</summary>
    private static void Covariance(HashSet<long> occupied, int x, int y, int z, int side, double[] cov)
    {
        double n = 0, sx = 0, sy = 0, sz = 0, xx = 0, yy = 0, zz = 0, xy = 0, xz = 0, yz = 0;
        for (int dx = -Radius; dx <= Radius; dx++)
            for (int dy = -Radius; dy <= Radius; dy++)
                for (int dz = -Radius; dz <= Radius; dz++)
                {
                    int a = x + dx, b = y + dy, e = z + dz;
                    if ((uint)a >= (uint)side || (uint)b >= (uint)side || (uint)e >= (uint)side || !occupied.Contains(Key(a, b, e, side)))
                        continue;
                    n++;
                    sx += dx; sy += dy; sz += dz;
                    xx += dx * dx; yy += dy * dy; zz += dz * dz; xy += dx * dy; xz += dx * dz; yz += dy * dz;
                }
        double mx = sx / n, my = sy / n, mz = sz / n;
        cov[0] = xx / n - mx * mx; cov[1] = yy / n - my * my; cov[2] = zz / n - mz * mz;
        cov[3] = xy / n - mx * my; cov[4] = xz / n - mx * mz; cov[5] = yz / n - my * mz;
    }

    /// <summary>The unit normal (eigenvector of the smallest eigenvalue) and the surface variation, by Jacobi rotations.</summary>
    internal static (double[] Normal, double Variation) Fit(double[] cov)
    {
        double[,] a = { { cov[0], cov[3], cov[4] }, { cov[3], cov[1], cov[5] }, { cov[4], cov[5], cov[2] } };
        double[,] e = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
        for (int sweep = 0; sweep < 8; sweep++)
            for (int p = 0; p < 2; p++)
                for (int q = p + 1; q < 3; q++)
                    Rotate(a, e, p, q);
        int min = 0;
        for (int i = 1; i < 3; i++)
            if (a[i, i] < a[min, min])
                min = i;
        double trace = a[0, 0] + a[1, 1] + a[2, 2];
        double variation = trace <= 1e-12 ? 1 : Math.Clamp(3 * a[min, min] / trace, 0, 1);
        return ([e[0, min], e[1, min], e[2, min]], variation);
    }

    /// <summary>One Jacobi rotation zeroing a[p, q]; e accumulates the eigenvectors as columns.</summary>
    private static void Rotate(double[,] a, double[,] e, int p, int q)
    {
        if (Math.Abs(a[p, q]) < 1e-15)
            return;
        double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
        double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
        double cs = 1 / Math.Sqrt(t * t + 1), sn = t * cs;
        for (int k = 0; k < 3; k++)
        {
            double akp = a[k, p], akq = a[k, q];
            a[k, p] = cs * akp - sn * akq;
            a[k, q] = sn * akp + cs * akq;
        }
        for (int k = 0; k < 3; k++)
        {
            double apk = a[p, k], aqk = a[q, k];
            a[p, k] = cs * apk - sn * aqk;
            a[q, k] = sn * apk + cs * aqk;
        }
        for (int k = 0; k < 3; k++)
        {
            double ekp = e[k, p], ekq = e[k, q];
            e[k, p] = cs * ekp - sn * ekq;
            e[k, q] = sn * ekp + cs * ekq;
        }
    }
}
