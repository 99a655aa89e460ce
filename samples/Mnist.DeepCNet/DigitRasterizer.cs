using SpatiallySparse.Layers;

namespace MnistDeepCNet;

/// <summary>
/// Turns a digit into sparse input points: the image centred in the N x N grid, a pixel active when
/// value / 255 &gt; threshold, with feature value / 255 (Graham 2014). Training adds a random shift.
/// </summary>
public sealed class DigitRasterizer
{
    /// <summary>Creates the rasterizer for an N x N grid.</summary>
    public DigitRasterizer(int gridSide, float threshold = 0.02f, int maxShift = 2, int imageSide = 28)
    {
        if (gridSide < imageSide + 2 * maxShift)
            throw new ArgumentOutOfRangeException(nameof(gridSide), $"A {gridSide} x {gridSide} grid cannot hold a {imageSide} x {imageSide} digit shifted by up to {maxShift} pixels; use l >= 4 (48 x 48).");
        if (!(threshold >= 0f && threshold < 1f))
            throw new ArgumentOutOfRangeException(nameof(threshold), $"The threshold must be in [0, 1), got {threshold}.");
        GridSide = gridSide;
        Threshold = threshold;
        MaxShift = maxShift;
        ImageSide = imageSide;
    }

    /// <summary>Grid side N.</summary>
    public int GridSide { get; }

    /// <summary>A pixel is active when value / 255 exceeds this.</summary>
    public float Threshold { get; }

    /// <summary>Largest shift, in pixels, of the training augmentation.</summary>
    public int MaxShift { get; }

    /// <summary>Side of the images.</summary>
    public int ImageSide { get; }

    /// <summary>
    /// Adds the active pixels of <paramref name="image"/> as sample <paramref name="sample"/> of <paramref name="batch"/>,
    /// shifted by a random (dy, dx) in [-MaxShift, MaxShift] when <paramref name="random"/> is given.
    /// Returns the number of active sites.
    /// </summary>
    public int Add(ReadOnlySpan<byte> image, SparseInput batch, int sample, Random? random)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (image.Length != ImageSide * ImageSide)
            throw new ArgumentException($"Expected a {ImageSide} x {ImageSide} image, got {image.Length} pixels.");
        int offset = (GridSide - ImageSide) / 2;
        int dy = random is null ? 0 : random.Next(-MaxShift, MaxShift + 1), dx = random is null ? 0 : random.Next(-MaxShift, MaxShift + 1);
        int active = 0;
        for (int r = 0; r < ImageSide; r++)
            for (int c = 0; c < ImageSide; c++)
            {
                float value = image[r * ImageSide + c] / 255f;
                if (value <= Threshold)
                    continue;
                batch.Add(sample, [offset + r + dy, offset + c + dx], value);
                active++;
            }
        if (active == 0)
        {
            // A blank image still needs one site (the input layer refuses empty samples): the centre, at zero.
            batch.Add(sample, [GridSide / 2, GridSide / 2], 0f);
        }
        return active;
    }
}
