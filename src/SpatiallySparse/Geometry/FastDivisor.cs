namespace SpatiallySparse.Geometry;

/// <summary>
/// Division of 32-bit unsigned values by a fixed positive divisor with one multiplication: with
/// M = ceil(2^64 / d), n / d = floor(M n / 2^64) for every n &lt; 2^32 (Lemire, Kaser and Kurz 2019, "Faster
/// remainder by direct computation"). The geometry builders split linear indices into coordinates for every
/// site of a batch, and a hardware division costs several times more.
/// </summary>
internal readonly struct FastDivisor
{
    private readonly ulong _multiplier;
    private readonly uint _divisor;

    public FastDivisor(int divisor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(divisor);
        _divisor = (uint)divisor;
        // M would be 2^64 for d = 1, one past ulong; Divide handles d = 1 itself.
        _multiplier = divisor == 1 ? 0 : ulong.MaxValue / (uint)divisor + 1;
    }

    /// <summary>floor(<paramref name="n"/> / d).</summary>
    public uint Divide(uint n) => _divisor == 1 ? n : (uint)Math.BigMul(_multiplier, n, out _);
}
