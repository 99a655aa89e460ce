using System.Text;

namespace SpatiallySparse.Samples.Tests;

/// <summary>Writes small files in the UCI Assamese format (CRLF, leading spaces, marker lines) for the reader's tests.</summary>
internal static class AssameseFiles
{
    /// <summary>The text of a file whose strokes are given as (x, y, stroke) points; markers follow the stroke column unless given.</summary>
    public static string Text(string name, IEnumerable<(int X, int Y, int Stroke)> points, int? strokeCount = null)
    {
        (int X, int Y, int Stroke)[] p = [.. points];
        StringBuilder s = new();
        s.Append($"CHARACTER_NAME: {name}\r\n");
        s.Append($"STROKE_COUNT: {strokeCount ?? p.Select(q => q.Stroke).Distinct().Count()}\r\n");
        s.Append("  X           Y   STYLUS_STATE STROKE\r\n");
        for (int i = 0; i < p.Length; i++)
        {
            if (i == 0 || p[i].Stroke != p[i - 1].Stroke)
                s.Append("PEN_DOWN\r\n");
            // X is right-aligned in the originals: short numbers get leading spaces.
            s.Append($"{p[i].X,4}        {p[i].Y}        1        {p[i].Stroke}\r\n");
            if (i == p.Length - 1 || p[i + 1].Stroke != p[i].Stroke)
                s.Append("PEN_UP                  0\r\n");
        }
        s.Append($"END_CHARACTER: {name}\r\n");
        return s.ToString();
    }

    /// <summary>A small character: a horizontal stroke and a dot below it, offset by <paramref name="shift"/>.</summary>
    public static IEnumerable<(int X, int Y, int Stroke)> TwoStrokes(int shift = 0) =>
        [(100 + shift, 200, 1), (150 + shift, 200, 1), (200 + shift, 205, 1), (150 + shift, 260, 2)];

    /// <summary>Writes a data folder in the archive's layout, one file per (writer, character) with <paramref name="text"/>.</summary>
    public static void WriteFolder(string folder, IEnumerable<(int Writer, int Character)> files, Func<int, int, string> text)
    {
        foreach ((int w, int c) in files)
        {
            string dir = Path.Combine(folder, AssameseHandwriting.AssameseData.Root, $"W{w}");
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, $"{c}.{w}.txt"), text(w, c), Encoding.ASCII);
        }
    }
}
