using System.Numerics;
using System.Text;
using AssameseHandwriting;
using NUnit.Framework;

namespace SpatiallySparse.Samples.Tests;

[TestFixture]
public sealed class AssameseReaderTests
{
    private static AssameseSample Parse(string name, string text) => AssameseReader.Parse(name, Encoding.ASCII.GetBytes(text));

    [Test]
    public void ReadsStrokesWithCrlfLeadingSpacesAndNegativeY()
    {
        string text = AssameseFiles.Text("KA", [(5, -20, 1), (12, -18, 1), (1234, 7, 2), (1240, 9, 2)]);
        Assert.That(text, Does.Contain("\r\n").And.Contain("   5        -20"));
        AssameseSample s = Parse("W3/12.3.txt", text);
        Assert.That((s.Label, s.Writer), Is.EqualTo((11, 3)));
        Assert.That(s.Character.Strokes, Has.Count.EqualTo(2));
        Assert.That(s.Character.Strokes[0], Is.EqualTo(new[] { new Vector2(5, -20), new Vector2(12, -18) }));
        Assert.That(s.Character.Strokes[1], Is.EqualTo(new[] { new Vector2(1234, 7), new Vector2(1240, 9) }));
    }

    [Test]
    public void LabelComesFromTheFileNameNotTheHeader()
    {
        AssameseSample s = Parse("/data/W1/183.1.txt", AssameseFiles.Text("A", AssameseFiles.TwoStrokes()));
        Assert.That(s.Label, Is.EqualTo(182));
    }

    [Test]
    public void SinglePointStrokesAreKept()
    {
        AssameseSample s = Parse("W1/1.1.txt", AssameseFiles.Text("A", AssameseFiles.TwoStrokes()));
        Assert.That(s.Character.Strokes.Select(x => x.Count), Is.EqualTo(new[] { 3, 1 }));
    }

    [Test]
    public void PointsAreGroupedByTheStrokeColumnWhateverTheMarkersSay()
    {
        // Markers claim one stroke; the STROKE column says two (as in 76 files of the set).
        string text = "CHARACTER_NAME: A\r\nSTROKE_COUNT: 2\r\n  X  Y  STYLUS_STATE  STROKE\r\nPEN_DOWN\r\n" +
            "10  10  1  1\r\n20  10  1  1\r\n30  40  1  2\r\n40  40  1  2\r\nPEN_UP  0\r\nPEN_UP  0\r\nEND_CHARACTER: A\r\n";
        AssameseSample s = Parse("W2/5.2.txt", text);
        Assert.That(s.Character.Strokes.Select(x => x.Count), Is.EqualTo(new[] { 2, 2 }));
        Assert.That(s.Character.Strokes[1][0], Is.EqualTo(new Vector2(30, 40)));
    }

    [TestCase("", "empty")]
    [TestCase("\r\n  \r\n", "empty")]
    [TestCase("STROKE_COUNT: 1\r\n", "line 1")]
    [TestCase("CHARACTER_NAME: A\r\nSTROKE_COUNT: x\r\n", "line 2")]
    [TestCase("CHARACTER_NAME: A\r\nSTROKE_COUNT: 1\r\nPEN_DOWN\r\n", "line 3")]
    [TestCase("CHARACTER_NAME: A\r\nSTROKE_COUNT: 1\r\nX Y STYLUS_STATE STROKE\r\nPEN_DOWN\r\n10 1O 1 1\r\nEND_CHARACTER: A\r\n", "line 5")]
    [TestCase("CHARACTER_NAME: A\r\nSTROKE_COUNT: 1\r\nX Y STYLUS_STATE STROKE\r\nPEN_DOWN\r\n10 10 1\r\nEND_CHARACTER: A\r\n", "line 5")]
    [TestCase("CHARACTER_NAME: A\r\nSTROKE_COUNT: 1\r\nX Y STYLUS_STATE STROKE\r\nPEN_DOWN\r\n10 10 1 1\r\n20 2", "line 6")]
    [TestCase("CHARACTER_NAME: A\r\nSTROKE_COUNT: 1\r\nX Y STYLUS_STATE STROKE\r\nPEN_DOWN\r\n10 10 1 1\r\n", "truncated")]
    [TestCase("CHARACTER_NAME: A\r\nSTROKE_COUNT: 1\r\nX Y STYLUS_STATE STROKE\r\nEND_CHARACTER: A\r\n", "no points")]
    [TestCase("CHARACTER_NAME: A\r\nSTROKE_COUNT: 1\r\nX Y STYLUS_STATE STROKE\r\n10 10 1 1\r\nEND_CHARACTER: A\r\n10 10 1 1\r\n", "line 6")]
    public void MalformedFilesNameTheFileAndLine(string text, string expected)
    {
        AssameseFormatException e = Assert.Throws<AssameseFormatException>(() => Parse("W4/7.4.txt", text))!;
        Assert.That(e.Message, Does.Contain("W4/7.4.txt").And.Contain(expected));
    }

    [TestCase("W1/1.txt")]
    [TestCase("W1/184.1.txt")]
    [TestCase("W1/0.1.txt")]
    [TestCase("W1/readme.txt")]
    public void FileNamesWithoutCharacterAndWriterAreRejected(string name)
    {
        Assert.That(AssameseReader.ParseFileName(name), Is.Null);
        Assert.Throws<AssameseFormatException>(() => Parse(name, AssameseFiles.Text("A", AssameseFiles.TwoStrokes())));
    }

    [Test]
    public void ReadsAFileFromDisk()
    {
        using TempFolder temp = new();
        File.WriteAllText(temp.File("9.8.txt"), AssameseFiles.Text("X", AssameseFiles.TwoStrokes()));
        AssameseSample s = AssameseReader.Read(temp.File("9.8.txt"));
        Assert.That((s.Label, s.Writer, s.Character.PointCount), Is.EqualTo((8, 8, 4)));
    }
}
