using SpatiallySparse.Layers;

namespace PointCloudSegmentation;

/// <summary>
/// Per-voxel input features computed from the occupancy alone, as a scanner pipeline would: a constant 1, the
/// height (z / side; scanners know which way is up), from a principal-component fit of the occupied voxels within
/// <see cref="Radius"/> the normal's orientation tensor n nᵀ (xx, yy, zz, xy, xz, yz: the normal up to its sign,
/// which a one-sided fit cannot know) and the surface variation 3 λ_min / (λ_0 + λ_1 + λ_2) (0 on a plane, 1 on an
/// isotropic blob), the same fit over the wider <see cref="WideRadius"/> (its surface variation and its linearity
/// (λ_max - λ_mid) / λ_max, near 1 along an edge or a thin strip), and the spread of the normals around the voxel
/// (see <see cref="AddNormalSpread"/>). Eigenvalue features at two scales are the classic hand-made point-cloud
/// descriptors. The 5³ fit averages the point noise but sees a 5-10 voxel radius bend by less than half a voxel;
/// the wider fit and the normal spread show the bend of a cylinder's side against a box's flat face and sharp
/// edges, which the network otherwise has to find from many voxels' tensors. With them the sample's U-Net told
/// boxes from cylinders within 24 epochs; with the first 9 it had not after 32 (docs/results.md).
/// </summary>
public static class VoxelFeatures
{
    /// <summary>Features per voxel.</summary>
    public const int Count = 12;

    /// <summary>Neighbourhood half-width of the normal fit, in voxels (5³ window: wide enough to average the point noise).</summary>
    public const int Radius = 2;

    /// <summary>Half-width of the wider fit, in voxels (9³ window: wide enough to see a 5-10 voxel radius bend).</summary>
    public const int WideRadius = 4;

    /// <summary>
    /// Adds every voxel of <paramref name="scene"/> with its features as sample <paramref name="slot"/> of
    /// <paramref name="input"/>, in the scene's voxel order (row-major in the linear index: the order of the input
    /// layer's rows, so that the scene's labels line up with the network's per-site output).
    /// </summary>
    public static void Add(SparseInput input, int slot, VoxelScene scene, int side)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(scene);
        float[] features = Compute(scene, side);
        for (int v = 0; v < scene.Count; v++)
            input.Add(slot, scene.Coordinates.AsSpan(3 * v, 3), features.AsSpan(Count * v, Count));
    }

    /// <summary>Features of every voxel of <paramref name="scene"/>, <see cref="Count"/> per voxel, in the scene's voxel order.</summary>
    public static float[] Compute(VoxelScene scene, int side)
    {
        ArgumentNullException.ThrowIfNull(scene);
        int[] c = scene.Coordinates;
        long[] keys = new long[scene.Count];
        for (int v = 0; v < scene.Count; v++)
            keys[v] = Key(c[3 * v], c[3 * v + 1], c[3 * v + 2], side);
        // One bit per grid voxel (2 MB at 256³): a voxel's 9³ window is 81 runs of 9 bits, read a word at a time.
        ulong[] occupied = new ulong[((long)side * side * side + 63) / 64];
        foreach (long key in keys)
            occupied[key >> 6] |= 1UL << (int)(key & 63);
        float[] features = new float[Count * scene.Count];
        Moments near = default, wide = default;
        Span<double> cov = stackalloc double[6];
        for (int v = 0; v < scene.Count; v++)
        {
            Accumulate(occupied, c[3 * v], c[3 * v + 1], c[3 * v + 2], side, ref near, ref wide);
            near.Covariance(cov);
            Eigen fine = Fit(cov);
            wide.Covariance(cov);
            Eigen coarse = Fit(cov);
            Span<float> f = features.AsSpan(Count * v, Count);
            f[0] = 1f;
            f[1] = (float)c[3 * v + 2] / side;
            f[2] = (float)(fine.X * fine.X);
            f[3] = (float)(fine.Y * fine.Y);
            f[4] = (float)(fine.Z * fine.Z);
            f[5] = (float)(fine.X * fine.Y);
            f[6] = (float)(fine.X * fine.Z);
            f[7] = (float)(fine.Y * fine.Z);
            f[8] = (float)fine.Variation;
            f[9] = (float)coarse.Variation;
            f[10] = (float)coarse.Linearity;
        }
        AddNormalSpread(scene, keys, side, features);
        return features;
    }

    /// <summary>
    /// Feature 11, the spread of the normals around each voxel: sqrt(1 - λ_max) of the mean orientation tensor of the
    /// occupied voxels within <see cref="Radius"/>, about the sine of their typical angle to the main normal. It is 0 on
    /// a clean flat face, grows with the bend of a curved side and is largest along an edge, where two faces' normals
    /// meet (with the generator's point noise, the mean is 0.16 on the floor, 0.29 on boxes, 0.31 on cylinders): a
    /// rotation-invariant curvature that the tensors alone leave the network to work out from differences between
    /// neighbours. <paramref name="keys"/> are the voxels' linear indices, in the scene's (increasing) order.
    /// </summary>
    private static void AddNormalSpread(VoxelScene scene, long[] keys, int side, float[] features)
    {
        int[] c = scene.Coordinates;
        Span<double> mean = stackalloc double[6];
        for (int v = 0; v < scene.Count; v++)
        {
            mean.Clear();
            int n = 0;
            int z = c[3 * v + 2];
            for (int dx = -Radius; dx <= Radius; dx++)
            {
                int a = c[3 * v] + dx, bLow = Math.Max(0, c[3 * v + 1] - Radius), bHigh = Math.Min(side - 1, c[3 * v + 1] + Radius);
                if ((uint)a >= (uint)side)
                    continue;
                // The voxels are in key order and the window's columns of one x are consecutive: one binary search, then a walk.
                long low = Key(a, bLow, Math.Max(0, z - Radius), side), high = Key(a, bHigh, Math.Min(side - 1, z + Radius), side);
                int i = Array.BinarySearch(keys, low);
                for (i = i < 0 ? ~i : i; i < keys.Length && keys[i] <= high; i++)
                {
                    if (Math.Abs(c[(3 * i) + 2] - z) > Radius)
                        continue;
                    n++;
                    for (int k = 0; k < 6; k++)
                        mean[k] += features[(Count * i) + 2 + k];
                }
            }
            // The tensor entries (xx, yy, zz, xy, xz, yz) are in the layout Fit reads.
            for (int k = 0; k < 6; k++)
                mean[k] /= n;
            features[(Count * v) + 11] = (float)Math.Sqrt(Math.Max(0, 1 - Fit(mean).Largest));
        }
    }

    private static long Key(int x, int y, int z, int side) => ((long)x * side + y) * side + z;

    /// <summary>Sums of the offsets of the occupied voxels of a window, their squares and products.</summary>
    private struct Moments
    {
        private double _n, _x, _y, _z, _xx, _yy, _zz, _xy, _xz, _yz;

        public void Clear() => this = default;

        public void Add(int dx, int dy, int dz)
        {
            _n++;
            _x += dx; _y += dy; _z += dz;
            _xx += dx * dx; _yy += dy * dy; _zz += dz * dz; _xy += dx * dy; _xz += dx * dz; _yz += dy * dz;
        }

        /// <summary>Writes the covariance (xx, yy, zz, xy, xz, yz); the window always holds its own centre, so n &gt;= 1.</summary>
        public readonly void Covariance(Span<double> cov)
        {
            double mx = _x / _n, my = _y / _n, mz = _z / _n;
            (cov[0], cov[1], cov[2]) = (_xx / _n - mx * mx, _yy / _n - my * my, _zz / _n - mz * mz);
            (cov[3], cov[4], cov[5]) = (_xy / _n - mx * my, _xz / _n - mx * mz, _yz / _n - my * mz);
        }
    }

    /// <summary>The moments of the occupied voxels around (x, y, z) within <see cref="Radius"/> (near) and <see cref="WideRadius"/> (wide).</summary>
    private static void Accumulate(ulong[] occupied, int x, int y, int z, int side, ref Moments near, ref Moments wide)
    {
        near.Clear();
        wide.Clear();
        int zLow = Math.Max(0, z - WideRadius), zCount = Math.Min(side - 1, z + WideRadius) - zLow + 1;
        for (int dx = -WideRadius; dx <= WideRadius; dx++)
            for (int dy = -WideRadius; dy <= WideRadius; dy++)
            {
                int a = x + dx, b = y + dy;
                if ((uint)a >= (uint)side || (uint)b >= (uint)side)
                    continue;
                // The column's window is at most 9 consecutive bits: read them at once and visit only the set ones.
                for (ulong bits = Bits(occupied, Key(a, b, zLow, side), zCount); bits != 0; bits &= bits - 1)
                {
                    int dz = zLow + System.Numerics.BitOperations.TrailingZeroCount(bits) - z;
                    wide.Add(dx, dy, dz);
                    if (Math.Abs(dx) <= Radius && Math.Abs(dy) <= Radius && Math.Abs(dz) <= Radius)
                        near.Add(dx, dy, dz);
                }
            }
    }

    /// <summary>The <paramref name="count"/> (at most 64) bits from bit <paramref name="first"/> on, in the low bits.</summary>
    private static ulong Bits(ulong[] words, long first, int count)
    {
        int shift = (int)(first & 63);
        long word = first >> 6;
        ulong bits = words[word] >> shift;
        if (shift + count > 64)
            bits |= words[word + 1] << (64 - shift);
        return count == 64 ? bits : bits & ((1UL << count) - 1);
    }

    /// <summary>A fit's unit normal (the eigenvector of the smallest eigenvalue), surface variation, linearity and largest eigenvalue.</summary>
    internal readonly record struct Eigen(double X, double Y, double Z, double Variation, double Linearity, double Largest);

    /// <summary>The eigen-decomposition of the symmetric 3x3 <paramref name="cov"/> (xx, yy, zz, xy, xz, yz) by Jacobi rotations, allocation-free.</summary>
    internal static Eigen Fit(ReadOnlySpan<double> cov)
    {
        Span<double> a = [cov[0], cov[3], cov[4], cov[3], cov[1], cov[5], cov[4], cov[5], cov[2]];
        Span<double> e = [1, 0, 0, 0, 1, 0, 0, 0, 1];
        double scale = Math.Abs(cov[0]) + Math.Abs(cov[1]) + Math.Abs(cov[2]);
        for (int sweep = 0; sweep < 8 && Math.Abs(a[1]) + Math.Abs(a[2]) + Math.Abs(a[5]) > 1e-12 * scale; sweep++)
            for (int p = 0; p < 2; p++)
                for (int q = p + 1; q < 3; q++)
                    Rotate(a, e, p, q);
        int min = 0;
        for (int i = 1; i < 3; i++)
            if (a[4 * i] < a[4 * min])
                min = i;
        double trace = a[0] + a[4] + a[8];
        double variation = trace <= 1e-12 ? 1 : Math.Clamp(3 * a[4 * min] / trace, 0, 1);
        double largest = Math.Max(a[0], Math.Max(a[4], a[8])), middle = trace - largest - a[4 * min];
        double linearity = largest <= 1e-12 ? 0 : Math.Clamp((largest - middle) / largest, 0, 1);
        return new Eigen(e[min], e[3 + min], e[6 + min], variation, linearity, largest);
    }

    /// <summary>One Jacobi rotation zeroing a[p, q] (row-major 3x3); e accumulates the eigenvectors as columns.</summary>
    private static void Rotate(Span<double> a, Span<double> e, int p, int q)
    {
        if (Math.Abs(a[3 * p + q]) < 1e-15)
            return;
        double theta = (a[4 * q] - a[4 * p]) / (2 * a[3 * p + q]);
        double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
        double cs = 1 / Math.Sqrt(t * t + 1), sn = t * cs;
        for (int k = 0; k < 3; k++)
        {
            double akp = a[3 * k + p], akq = a[3 * k + q];
            a[3 * k + p] = cs * akp - sn * akq;
            a[3 * k + q] = sn * akp + cs * akq;
        }
        for (int k = 0; k < 3; k++)
        {
            double apk = a[3 * p + k], aqk = a[3 * q + k];
            a[3 * p + k] = cs * apk - sn * aqk;
            a[3 * q + k] = sn * apk + cs * aqk;
        }
        for (int k = 0; k < 3; k++)
        {
            double ekp = e[3 * k + p], ekq = e[3 * k + q];
            e[3 * k + p] = cs * ekp - sn * ekq;
            e[3 * k + q] = sn * ekp + cs * ekq;
        }
    }
}
