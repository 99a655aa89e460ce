namespace SpatiallySparse.Data;

/// <summary>
/// A <see cref="Random"/> that can be reseeded in place (SplitMix64): one per loader worker serves every sample
/// of <see cref="AugmentationScope.Sample"/>, where <c>new Random(seed)</c> would allocate per sample. Every
/// virtual method is overridden, so the base generator is never drawn from.
/// </summary>
internal sealed class SampleRandom : Random
{
    private ulong _state;

    /// <summary>Restarts the sequence from <paramref name="seed"/>.</summary>
    public void Reseed(int seed) => _state = (ulong)(uint)seed * 0xD1B54A32D192ED03UL;

    private ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, <paramref name="range"/>) by the high half of a 64 x 64 product (bias below 2^-64 x range).</summary>
    private ulong Below(ulong range) => Math.BigMul(NextUInt64(), range, out _);

    public override int Next() => (int)Below(int.MaxValue);

    public override int Next(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (int)Below((ulong)maxValue);
    }

    public override int Next(int minValue, int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return (int)((long)minValue + (long)Below((ulong)((long)maxValue - minValue)));
    }

    public override long NextInt64() => (long)Below(long.MaxValue);

    public override long NextInt64(long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (long)Below((ulong)maxValue);
    }

    public override long NextInt64(long minValue, long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return unchecked(minValue + (long)Below((ulong)(maxValue - minValue)));
    }

    public override double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public override float NextSingle() => (NextUInt64() >> 40) * (1f / (1 << 24));

    public override void NextBytes(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        NextBytes(buffer.AsSpan());
    }

    public override void NextBytes(Span<byte> buffer)
    {
        for (int i = 0; i < buffer.Length; i++)
            buffer[i] = (byte)(NextUInt64() >> 56);
    }

    protected override double Sample() => NextDouble();
}
