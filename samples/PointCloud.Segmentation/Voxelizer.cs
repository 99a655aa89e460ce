namespace PointCloudSegmentation;

/// <summary>A voxelised scene: active voxels in row-major order of their linear index, with the majority class of their points.</summary>
/// <param name="Coordinates">x, y, z per voxel.</param>
/// <param name="Labels">Class per voxel.</param>
/// <param name="PointsOutside">Points that fell outside the grid (dropped and counted).</param>
public sealed record VoxelScene(int[] Coordinates, int[] Labels, int PointsOutside)
{
    /// <summary>Number of active voxels.</summary>
    public int Count => Labels.Length;
}

/// <summary>Turns scenes into voxels on a cubic grid, checking every point.</summary>
public static class Voxelizer
{
    /// <summary>Voxelises <paramref name="scene"/> on a grid of side <paramref name="resolution"/>.</summary>
    /// <exception cref="ArgumentException">An empty scene, a NaN coordinate or a label out of range; the message names the scene and point.</exception>
    public static VoxelScene Voxelize(Scene scene, int resolution)
    {
        ArgumentNullException.ThrowIfNull(scene);
        if (scene.Count == 0)
            throw new ArgumentException($"Scene {scene.Index} has no points.", nameof(scene));
        if (scene.Points.Length != 3 * scene.Count)
            throw new ArgumentException($"Scene {scene.Index}: {scene.Points.Length} coordinates for {scene.Count} labels; expected 3 per point.", nameof(scene));
        Dictionary<long, int[]> votes = [];
        int outside = 0;
        for (int i = 0; i < scene.Count; i++)
        {
            if ((uint)scene.Labels[i] >= Scene.ClassCount)
                throw new ArgumentException($"Scene {scene.Index}, point {i}: label {scene.Labels[i]} is outside [0, {Scene.ClassCount - 1}].", nameof(scene));
            long key = 0;
            bool inside = true;
            for (int d = 0; d < 3; d++)
            {
                float c = scene.Points[3 * i + d];
                if (float.IsNaN(c) || float.IsInfinity(c))
                    throw new ArgumentException($"Scene {scene.Index}, point {i}: coordinate {d} is {c}; coordinates must be finite.", nameof(scene));
                int v = (int)MathF.Floor(c);
                inside &= v >= 0 && v < resolution;
                key = key * resolution + v;
            }
            if (!inside)
            {
                outside++;
                continue;
            }
            if (!votes.TryGetValue(key, out int[]? counts))
                votes[key] = counts = new int[Scene.ClassCount];
            counts[scene.Labels[i]]++;
        }
        long[] keys = [.. votes.Keys.Order()];
        int[] coordinates = new int[3 * keys.Length], labels = new int[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            long k = keys[i];
            coordinates[3 * i + 2] = (int)(k % resolution);
            coordinates[3 * i + 1] = (int)(k / resolution % resolution);
            coordinates[3 * i] = (int)(k / resolution / resolution);
            int[] counts = votes[k];
            labels[i] = Array.IndexOf(counts, counts.Max());
        }
        return new VoxelScene(coordinates, labels, outside);
    }
}
