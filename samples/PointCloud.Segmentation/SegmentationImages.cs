using System.Globalization;
using SpatiallySparse.Samples.Common;

namespace PointCloudSegmentation;

/// <summary>Pictures of a held-out scene's predictions: a horizontal slice and a side view.</summary>
public static class SegmentationImages
{
    /// <summary>
    /// A top view of the slab <paramref name="height"/> ± 1 (x down, y across), coloured by predicted class; voxels
    /// predicted wrong are drawn at half brightness, so errors show where they are. The slab is 3 voxels thick
    /// because a one-voxel slice of a noisy scanned surface has gaps.
    /// </summary>
    public static void WriteSlice(string path, VoxelScene scene, int[] predictions, int side, int height)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(predictions);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        List<SiteColour> sites = [];
        for (int v = 0; v < scene.Count; v++)
        {
            int z = scene.Coordinates[3 * v + 2];
            if (Math.Abs(z - height) > 1)
                continue;
            bool right = predictions[v] == scene.Labels[v];
            (byte r, byte g, byte b) = Colour(predictions[v], right ? 1 : 0.45);
            sites.Add(new SiteColour(scene.Coordinates[3 * v], scene.Coordinates[3 * v + 1], r, g, b));
        }
        string caption = string.Create(CultureInfo.InvariantCulture,
            $"held-out scene 0, slice z = {height} +- 1 from above, colour = predicted class ({Legend()}); dark = wrong");
        SiteImage.WritePng(path, side, sites, caption: caption);
    }

    /// <summary>A side view (x across, z up) of the voxel nearest the viewer in each column, coloured by predicted class.</summary>
    public static void WriteSide(string path, VoxelScene scene, int[] predictions, int side)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(predictions);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Dictionary<(int X, int Z), (int Y, int Class)> nearest = [];
        for (int v = 0; v < scene.Count; v++)
        {
            (int x, int y, int z) = (scene.Coordinates[3 * v], scene.Coordinates[3 * v + 1], scene.Coordinates[3 * v + 2]);
            if (!nearest.TryGetValue((x, z), out (int Y, int Class) seen) || y < seen.Y)
                nearest[(x, z)] = (y, predictions[v]);
        }
        IEnumerable<SiteColour> sites = nearest.Select(kv =>
        {
            (byte r, byte g, byte b) = Colour(kv.Value.Class, 1);
            return new SiteColour(side - 1 - kv.Key.Z, kv.Key.X, r, g, b);
        });
        SiteImage.WritePng(path, side, sites, caption: $"held-out scene 0, side view, colour = predicted class ({Legend()})");
    }

    private static (byte Red, byte Green, byte Blue) Colour(int cls, double value) =>
        SiteImage.Hue(cls * 2 * Math.PI / Scene.ClassCount, value);

    private static string Legend() => "red floor, yellow-green sphere, green box, blue cylinder, purple cone";
}
