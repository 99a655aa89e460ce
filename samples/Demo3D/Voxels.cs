using SpatiallySparse;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;

/// <summary>From points in metres to the voxels of a 32 x 32 x 32 grid, and from per-voxel results back to the points.</summary>
internal static class Voxels
{
    // <snippet:grid>
    // A 3.2 m cube cut into 32 x 32 x 32 voxels of 10 cm: point p (metres, from the cube's corner) lies in voxel floor(p / 0.1).
    public const float VoxelSize = 0.1f;
    public const int Side = 32;
    public static readonly SpatialSize Grid = SpatialSize.Cube(3, Side);   // the same as new SpatialSize(32, 32, 32)
    public const int Features = 2;                                          // per point: 1 (a point is here) and its height

    /// <summary>The voxel of point <paramref name="i"/>; false when it lies outside the grid.</summary>
    public static bool TryVoxel(PointCloud cloud, int i, Span<int> voxel)
    {
        for (int d = 0; d < 3; d++)
        {
            voxel[d] = (int)MathF.Floor(cloud.Xyz[3 * i + d] / VoxelSize);
            if ((uint)voxel[d] >= Side)
                return false;
        }
        return true;
    }
    // </snippet:grid>

    // <snippet:add>
    /// <summary>Adds every point of <paramref name="cloud"/> inside the grid to sample <paramref name="slot"/>: its voxel and features.</summary>
    public static void Add(SparseInput input, int slot, PointCloud cloud)
    {
        Span<int> voxel = stackalloc int[3];
        Span<float> features = stackalloc float[Features];
        for (int i = 0; i < cloud.Count; i++)
        {
            if (!TryVoxel(cloud, i, voxel))
                continue;                                   // outside the grid: dropped
            features[0] = 1f;
            features[1] = cloud.Xyz[3 * i + 2] / (Side * VoxelSize);
            input.Add(slot, voxel, features);               // several points may share a voxel: the input layer merges them
        }
    }
    // </snippet:add>

    // <snippet:labels>
    /// <summary>The class of each voxel of <paramref name="cloud"/> (by linear index): the most common class of its points.</summary>
    public static Dictionary<long, int> VoxelLabels(PointCloud cloud)
    {
        Dictionary<long, int[]> votes = [];
        Span<int> voxel = stackalloc int[3];
        for (int i = 0; i < cloud.Count; i++)
        {
            if (!TryVoxel(cloud, i, voxel))
                continue;
            long site = Grid.LinearIndex(voxel);
            if (!votes.TryGetValue(site, out int[]? counts))
                votes[site] = counts = new int[Scenes.ClassCount];
            counts[cloud.Labels[i]]++;
        }
        return votes.ToDictionary(v => v.Key, v => Array.IndexOf(v.Value, v.Value.Max()));
    }

    /// <summary>
    /// One label per active site, in the tensor's row order: rows are grouped by sample, and each row's sample and
    /// linear index name its cloud (<paramref name="cloudOfSample"/>) and voxel.
    /// </summary>
    public static int[] SiteLabels(SparseGrid sites, int[] cloudOfSample, IReadOnlyList<Dictionary<long, int>> voxelLabels)
    {
        ReadOnlySpan<int> sample = sites.SampleOfRow;
        ReadOnlySpan<long> linear = sites.LinearIndexOfRow;
        int[] labels = new int[sites.ActiveCount];
        for (int row = 0; row < labels.Length; row++)
            labels[row] = voxelLabels[cloudOfSample[sample[row]]][linear[row]];
        return labels;
    }
    // </snippet:labels>

    // <snippet:points>
    /// <summary>The class with the highest score at each active site (<paramref name="scores"/>: one row per site, one column per class).</summary>
    public static int[] ArgMaxPerSite(SparseTensor scores)
    {
        float[] s = scores.GetFeatures();
        int classes = scores.Channels;
        int[] best = new int[scores.ActiveCount];
        for (int row = 0; row < best.Length; row++)
            for (int k = 1; k < classes; k++)
                if (s[row * classes + k] > s[row * classes + best[row]])
                    best[row] = k;
        return best;
    }

    /// <summary>Each point's class: that of its voxel's row in sample <paramref name="sample"/>; -1 for a point outside the grid.</summary>
    public static int[] PerPoint(SparseGrid sites, int sample, PointCloud cloud, int[] siteClass)
    {
        int[] pointClass = new int[cloud.Count];
        Span<int> voxel = stackalloc int[3];
        for (int i = 0; i < cloud.Count; i++)
            pointClass[i] = TryVoxel(cloud, i, voxel) ? siteClass[sites.RowOf(sample, voxel)] : -1;
        return pointClass;
    }
    // </snippet:points>
}
