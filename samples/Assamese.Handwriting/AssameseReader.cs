using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using SpatiallySparse.Handwriting;

namespace AssameseHandwriting;

/// <summary>A file of the UCI Assamese set is malformed; the message names the file and, where it applies, the line.</summary>
public sealed class AssameseFormatException : IOException
{
    /// <summary>Creates the exception for line <paramref name="line"/> (1-based; 0: the whole file) of <paramref name="path"/>.</summary>
    public AssameseFormatException(string path, int line, string problem)
        : base(line > 0 ? $"'{path}', line {line}: {problem}" : $"'{path}': {problem}")
    {
        Path = path;
        Line = line;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>1-based line number, or 0 when the problem is not on one line.</summary>
    public int Line { get; }
}

/// <summary>One character of the data set.</summary>
/// <param name="Label">Class, 0..182: the character number in the file name minus one.</param>
/// <param name="Writer">Writer, 1..45, from the file name.</param>
/// <param name="Character">The pen strokes, raw tablet units, Y down.</param>
public sealed record AssameseSample(int Label, int Writer, PenCharacter Character);

/// <summary>
/// Reads the UCI "Online Handwritten Assamese Characters" files (<c>W{w}/{c}.{w}.txt</c>): a
/// <c>CHARACTER_NAME:</c> line, <c>STROKE_COUNT:</c>, the column header <c>X Y STYLUS_STATE STROKE</c>, then
/// points (four integers, X possibly with leading spaces, Y possibly negative) between <c>PEN_DOWN</c> and
/// <c>PEN_UP</c> marker lines, and <c>END_CHARACTER:</c> last; CRLF line ends.
/// </summary>
public static partial class AssameseReader
{
    /// <summary>Classes in the data set.</summary>
    public const int Classes = 183;

    /// <summary>Parses <c>{c}.{w}.txt</c> into (label c - 1, writer w); null when the name has another form.</summary>
    public static (int Label, int Writer)? ParseFileName(string path)
    {
        Match m = FileName().Match(Path.GetFileName(path));
        if (!m.Success)
            return null;
        int character = int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture), writer = int.Parse(m.Groups[2].ValueSpan, CultureInfo.InvariantCulture);
        return character is >= 1 and <= Classes && writer >= 1 ? (character - 1, writer) : null;
    }

    /// <summary>Reads one file; the label and writer come from its name.</summary>
    public static AssameseSample Read(string path) => Parse(path, File.ReadAllBytes(path));

    /// <summary>Parses the bytes of the file at <paramref name="path"/> (the name gives label and writer).</summary>
    public static AssameseSample Parse(string path, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        // The label is the number in the file name: two files carry a wrong CHARACTER_NAME, so the header is not trusted.
        (int label, int writer) = ParseFileName(path) ?? throw new AssameseFormatException(path, 0, "the name is not of the form {character}.{writer}.txt with character 1..183.");
        string text = Encoding.ASCII.GetString(content);
        int n = 0, position = 0;
        // The next non-blank line, trimmed (CR of CRLF and leading spaces included), as a span of the text: 2.7 million
        // point lines are read per run, so nothing is allocated per line.
        bool Next(out ReadOnlySpan<char> line)
        {
            while (position < text.Length)
            {
                int end = text.IndexOf('\n', position);
                if (end < 0)
                    end = text.Length;
                line = text.AsSpan(position, end - position).Trim();
                position = end + 1;
                n++;
                if (line.Length > 0)
                    return true;
            }
            line = default;
            return false;
        }
        if (!Next(out ReadOnlySpan<char> first))
            throw new AssameseFormatException(path, 0, "the file is empty.");
        if (!first.StartsWith("CHARACTER_NAME:", StringComparison.Ordinal))
            throw new AssameseFormatException(path, n, $"expected the header 'CHARACTER_NAME: ...', found '{Clip(first)}'.");
        bool hasCount = Next(out ReadOnlySpan<char> count);
        if (!hasCount || !count.StartsWith("STROKE_COUNT:", StringComparison.Ordinal) ||
            !int.TryParse(count["STROKE_COUNT:".Length..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int strokeCount) || strokeCount <= 0)
            throw new AssameseFormatException(path, n, $"expected 'STROKE_COUNT: n' with n > 0, found '{(hasCount ? Clip(count) : "end of file")}'.");
        bool hasHeader = Next(out ReadOnlySpan<char> header);
        if (!hasHeader || !ColumnHeader().IsMatch(header))
            throw new AssameseFormatException(path, n, $"expected the column header 'X Y STYLUS_STATE STROKE', found '{(hasHeader ? Clip(header) : "end of file")}'.");
        // Points are grouped by the STROKE column, not by the PEN_DOWN/PEN_UP markers: 76 files have markers that
        // disagree with it. Strokes keep the order of their first point.
        Dictionary<int, List<Vector2>> strokes = [];
        List<int> order = [];
        bool ended = false;
        Span<int> v = stackalloc int[4];
        while (Next(out ReadOnlySpan<char> line))
        {
            if (ended)
                throw new AssameseFormatException(path, n, $"text after END_CHARACTER: '{Clip(line)}'.");
            if (line.StartsWith("PEN_DOWN", StringComparison.Ordinal) || line.StartsWith("PEN_UP", StringComparison.Ordinal))
                continue;
            if (line.StartsWith("END_CHARACTER", StringComparison.Ordinal))
            {
                ended = true;
                continue;
            }
            if (ParseFields(line, v) is string problem)
                throw new AssameseFormatException(path, n, $"{problem} (line '{Clip(line)}').");
            if (!strokes.TryGetValue(v[3], out List<Vector2>? points))
            {
                strokes[v[3]] = points = [];
                order.Add(v[3]);
            }
            points.Add(new Vector2(v[0], v[1]));
        }
        if (!ended)
            throw new AssameseFormatException(path, n, "the file ends before END_CHARACTER (truncated?).");
        if (order.Count == 0)
            throw new AssameseFormatException(path, n, "the character has no points.");
        return new AssameseSample(label, writer, new PenCharacter(order.Select(s => (IReadOnlyList<Vector2>)strokes[s])));
    }

    /// <summary>Reads the four whitespace-separated integers of a point line into <paramref name="values"/>; returns the problem, or null.</summary>
    private static string? ParseFields(ReadOnlySpan<char> line, Span<int> values)
    {
        int field = 0;
        foreach (Range r in line.SplitAny(" \t"))
        {
            ReadOnlySpan<char> token = line[r];
            if (token.IsEmpty)
                continue;
            if (field == 4)
                return "expected four integers 'X Y STYLUS_STATE STROKE', found more";
            if (!int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out values[field]))
                return $"'{Clip(token)}' is not an integer";
            field++;
        }
        return field == 4 ? null : $"expected four integers 'X Y STYLUS_STATE STROKE', found {field}";
    }

    private static string Clip(ReadOnlySpan<char> text) => text.Length <= 60 ? text.ToString() : string.Concat(text[..60], "...");

    [GeneratedRegex(@"^(\d+)\.(\d+)\.txt$")]
    private static partial Regex FileName();

    [GeneratedRegex(@"^X\s+Y\s+STYLUS_STATE\s+STROKE$")]
    private static partial Regex ColumnHeader();
}
