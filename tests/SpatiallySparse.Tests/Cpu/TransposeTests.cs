using NUnit.Framework;
using SpatiallySparse.Backends.Cpu;

namespace SpatiallySparse.Tests.Cpu;

/// <summary>The tiled transpose (weights for the backward pass) against the definition, across tile edges.</summary>
[TestFixture]
public sealed class TransposeTests
{
    [Test]
    public void TransposesEveryShapeAcrossTileEdges([Values(1, 15, 16, 17, 40)] int rows, [Values(1, 3, 16, 33)] int columns)
    {
        float[] source = [.. Enumerable.Range(0, rows * columns).Select(i => (float)i)];
        float[] destination = new float[rows * columns + 1];
        destination[^1] = -1f;
        CpuBackend.Transpose(source, rows, columns, destination);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                Assert.That(destination[c * rows + r], Is.EqualTo(source[r * columns + c]), $"({r}, {c})");
        Assert.That(destination[^1], Is.EqualTo(-1f), "nothing written past the matrix");
    }
}
