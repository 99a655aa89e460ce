using NUnit.Framework;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Tests.Geometry;

[TestFixture]
public sealed class FastDivisorTests
{
    [Test]
    public void DividesLikeTheHardware()
    {
        Random random = new(5);
        int[] divisors = [.. Enumerable.Range(1, 300), 1 << 10, (1 << 16) + 1, 96 * 96, 1_000_003, int.MaxValue];
        foreach (int d in divisors)
        {
            FastDivisor divisor = new(d);
            uint[] values = [0, 1, (uint)d - 1, (uint)d, (uint)d + 1, uint.MaxValue, uint.MaxValue - 1, (uint)int.MaxValue, .. Enumerable.Range(0, 200).Select(_ => (uint)random.NextInt64(0, 1L << 32))];
            foreach (uint n in values)
                Assert.That(divisor.Divide(n), Is.EqualTo(n / (uint)d), $"{n} / {d}");
        }
    }

    [Test]
    public void CoordinatesRoundTripThroughLinearIndices()
    {
        Random random = new(6);
        foreach (int[] extent in (int[][])[[96, 96], [1, 7], [3, 1, 5], [13, 17, 19], [1000, 1000, 4], [70000, 70000]])
        {
            SpatialSize size = new(extent);
            int[] c = new int[extent.Length];
            for (int i = 0; i < 500; i++)
            {
                long linear = random.NextInt64(size.Volume);
                size.Coordinate(linear, c);
                Assert.That(size.Contains(c), Is.True);
                Assert.That(size.LinearIndex(c), Is.EqualTo(linear), $"{size} at {linear}");
            }
        }
    }
}
