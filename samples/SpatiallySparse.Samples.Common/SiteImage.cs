using SkiaSharp;

namespace SpatiallySparse.Samples.Common;

/// <summary>One coloured cell of a <see cref="SiteImage"/>.</summary>
/// <param name="Row">Grid row (drawn downwards).</param>
/// <param name="Column">Grid column.</param>
/// <param name="Red">Red, 0..255.</param>
/// <param name="Green">Green, 0..255.</param>
/// <param name="Blue">Blue, 0..255.</param>
public readonly record struct SiteColour(int Row, int Column, byte Red, byte Green, byte Blue);

/// <summary>Draws the active sites of a 2D sample as a PNG: what the network sees, one square per site on a white grid.</summary>
public static class SiteImage
{
    /// <summary>Writes a <paramref name="side"/> x <paramref name="side"/> grid, <paramref name="cellPixels"/> pixels per cell, with the given sites coloured.</summary>
    public static void WritePng(string path, int side, IEnumerable<SiteColour> sites, int cellPixels = 4, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(sites);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(side);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cellPixels);
        int size = side * cellPixels, top = caption is null ? 0 : 20;
        using SKBitmap bitmap = new(size, size + top);
        using (SKCanvas canvas = new(bitmap))
        {
            canvas.Clear(SKColors.White);
            using SKPaint border = new() { Color = new SKColor(200, 200, 200), Style = SKPaintStyle.Stroke };
            canvas.DrawRect(0, top, size - 1, size - 1, border);
            using SKPaint fill = new() { Style = SKPaintStyle.Fill };
            foreach (SiteColour s in sites)
            {
                if ((uint)s.Row >= (uint)side || (uint)s.Column >= (uint)side)
                    throw new ArgumentOutOfRangeException(nameof(sites), $"Site ({s.Row}, {s.Column}) is outside the {side} x {side} grid.");
                fill.Color = new SKColor(s.Red, s.Green, s.Blue);
                canvas.DrawRect(s.Column * cellPixels, top + s.Row * cellPixels, cellPixels, cellPixels, fill);
            }
            if (caption is not null)
            {
                using SKFont font = new(SKTypeface.Default, 14);
                using SKPaint text = new() { Color = SKColors.Black, IsAntialias = true };
                canvas.DrawText(caption, 4, 15, font, text);
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using FileStream file = File.Create(path);
        bitmap.Encode(file, SKEncodedImageFormat.Png, 100);
    }

    /// <summary>An RGB colour for a direction (radians, any range): hue = angle, full saturation.</summary>
    public static (byte Red, byte Green, byte Blue) Hue(double angle, double value = 1)
    {
        double h = (angle / (2 * Math.PI) % 1 + 1) % 1 * 6, v = Math.Clamp(value, 0, 1);
        double x = 1 - Math.Abs(h % 2 - 1);
        (double r, double g, double b) = (int)h switch
        {
            0 => (1.0, x, 0.0),
            1 => (x, 1.0, 0.0),
            2 => (0.0, 1.0, x),
            3 => (0.0, x, 1.0),
            4 => (x, 0.0, 1.0),
            _ => (1.0, 0.0, x),
        };
        return ((byte)(255 * r * v), (byte)(255 * g * v), (byte)(255 * b * v));
    }
}
