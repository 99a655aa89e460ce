using NUnit.Framework;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Backends.Cpu.Simd;

namespace SpatiallySparse.Tests.Cpu;

/// <summary>The hand-vectorised element-wise ops give the scalar result at every length (every vector width and remainder).</summary>
[TestFixture]
public sealed class CpuBackendSimdPathTests
{
    private static IEnumerable<SimdLevel> Levels() =>
        Enum.GetValues<SimdLevel>().Where(l => l <= SimdLevels.Best);

    [Test]
    public void LeakyReluMatchesScalarAtEveryLength([ValueSource(nameof(Levels))] SimdLevel level)
    {
        CpuBackend scalar = new(1, SimdLevel.Scalar), simd = new(1, level);
        Random random = new(1);
        for (int n = 0; n <= 70; n++)
        {
            float[] x = [.. Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f)];
            float[] g = [.. Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f)];
            (float[] ys, float[] gs) = Run(scalar, x, g);
            (float[] yv, float[] gv) = Run(simd, x, g);
            Assert.That(yv, Is.EqualTo(ys), $"forward, length {n}");
            Assert.That(gv, Is.EqualTo(gs), $"backward, length {n}");
            for (int i = 0; i < n; i++)
                Assert.That(ys[i], Is.EqualTo(x[i] > 0 ? x[i] : 0.25f * x[i]), $"scalar forward at {i}");
        }
    }

    private static (float[] Y, float[] GradX) Run(CpuBackend be, float[] x, float[] g)
    {
        using FeatureMatrix xm = be.Allocate(1, x.Length), y = be.Allocate(1, x.Length), gy = be.Allocate(1, x.Length), gx = be.Allocate(1, x.Length);
        be.Upload(x, xm);
        be.Upload(g, gy);
        be.Fill(gx, 1f);
        be.LeakyReluForward(xm, y, 0.25f);
        be.LeakyReluBackward(xm, gy, gx, 0.25f);
        return (y.ToArray(), gx.ToArray());
    }
}
