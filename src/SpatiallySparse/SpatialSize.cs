namespace SpatiallySparse;

/// <summary>
/// The extent of a grid (or of a filter or stride) in each spatial dimension. Immutable and compared by value,
/// so it can key caches. 2D and 3D grids are the common cases; any dimension from 1 to 8 is accepted.
/// </summary>
public sealed class SpatialSize : IEquatable<SpatialSize>
{
    /// <summary>Largest supported number of spatial dimensions.</summary>
    public const int MaxDimension = 8;

    /// <summary>
    /// Most sites a grid may have, and most sites a whole batch may have (batch size times <see cref="Volume"/>):
    /// a site's key, sample times volume plus linear index, must fit a 64-bit integer.
    /// </summary>
    public const long MaxVolume = long.MaxValue;

    private readonly int[] _extent;
    private readonly Geometry.FastDivisor[] _divisors;

    /// <summary>Creates a size from its extent per dimension; every extent must be positive.</summary>
    public SpatialSize(params int[] extent)
    {
        ArgumentNullException.ThrowIfNull(extent);
        if (extent.Length is 0 or > MaxDimension)
            throw new ArgumentException($"A spatial size needs 1 to {MaxDimension} dimensions, got {extent.Length}.", nameof(extent));
        long volume = 1;
        for (int d = 0; d < extent.Length; d++)
        {
            if (extent[d] <= 0)
                throw new ArgumentOutOfRangeException(nameof(extent), $"Spatial extent {extent[d]} in dimension {d} must be positive.");
        }
        for (int d = 0; d < extent.Length; d++)
        {
            if (volume > MaxVolume / extent[d])
                throw new ArgumentException($"Spatial size {string.Join('x', extent)} has more sites than the limit of {MaxVolume:N0} (2^63 - 1).", nameof(extent));
            volume *= extent[d];
        }
        _extent = (int[])extent.Clone();
        _divisors = new Geometry.FastDivisor[_extent.Length];
        for (int d = 0; d < _extent.Length; d++)
            _divisors[d] = new Geometry.FastDivisor(_extent[d]);
        Volume = volume;
    }

    /// <summary>
    /// Throws unless a batch of <paramref name="batchSize"/> samples of this grid has at most <see cref="MaxVolume"/>
    /// sites in all (the site keys would overflow), naming the size, the batch and the largest batch that fits.
    /// </summary>
    internal void ThrowIfBatchTooLarge(int batchSize)
    {
        if (batchSize > 1 && Volume > MaxVolume / batchSize)
            throw new ArgumentException($"A batch of {batchSize} samples of the {this} grid ({Volume:N0} sites each) has more sites than the limit of {MaxVolume:N0} (2^63 - 1): at most {MaxVolume / Volume} samples of this grid fit in a batch.", nameof(batchSize));
    }

    /// <summary>A cube: the same extent in each of <paramref name="dimension"/> dimensions.</summary>
    public static SpatialSize Cube(int dimension, int extent)
    {
        if (dimension is <= 0 or > MaxDimension)
            throw new ArgumentOutOfRangeException(nameof(dimension), $"A spatial size needs 1 to {MaxDimension} dimensions, got {dimension}.");
        int[] e = new int[dimension];
        Array.Fill(e, extent);
        return new SpatialSize(e);
    }

    /// <summary>Number of spatial dimensions.</summary>
    public int Dimension => _extent.Length;

    /// <summary>Number of sites of the grid (product of the extents).</summary>
    public long Volume { get; }

    /// <summary>Extent in dimension <paramref name="d"/>.</summary>
    public int this[int d] => _extent[d];

    /// <summary>The extents as a read-only span.</summary>
    public ReadOnlySpan<int> AsSpan() => _extent;

    /// <summary>True when <paramref name="coordinate"/> lies inside the grid.</summary>
    public bool Contains(ReadOnlySpan<int> coordinate)
    {
        for (int d = 0; d < _extent.Length; d++)
            if ((uint)coordinate[d] >= (uint)_extent[d])
                return false;
        return true;
    }

    /// <summary>Row-major linear index of a coordinate inside the grid (last dimension fastest).</summary>
    public long LinearIndex(ReadOnlySpan<int> coordinate)
    {
        long index = 0;
        for (int d = 0; d < _extent.Length; d++)
            index = index * _extent[d] + coordinate[d];
        return index;
    }

    /// <summary>Inverse of <see cref="LinearIndex"/>.</summary>
    public void Coordinate(long linearIndex, Span<int> coordinate)
    {
        if ((ulong)linearIndex <= uint.MaxValue)
        {
            // Divisions by multiplication: the geometry builders call this for every site of a batch.
            uint index = (uint)linearIndex;
            for (int d = _extent.Length - 1; d >= 0; d--)
            {
                uint quotient = _divisors[d].Divide(index);
                coordinate[d] = (int)(index - quotient * (uint)_extent[d]);
                index = quotient;
            }
            return;
        }
        for (int d = _extent.Length - 1; d >= 0; d--)
        {
            coordinate[d] = (int)(linearIndex % _extent[d]);
            linearIndex /= _extent[d];
        }
    }

    /// <inheritdoc/>
    public bool Equals(SpatialSize? other) => other is not null && _extent.AsSpan().SequenceEqual(other._extent);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SpatialSize);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        HashCode hash = default;
        foreach (int e in _extent)
            hash.Add(e);
        return hash.ToHashCode();
    }

    /// <summary>Sizes like <c>96x96</c>.</summary>
    public override string ToString() => string.Join('x', _extent);

    /// <summary>Value equality.</summary>
    public static bool operator ==(SpatialSize? a, SpatialSize? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(SpatialSize? a, SpatialSize? b) => !(a == b);
}
