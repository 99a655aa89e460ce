using System.Buffers;

namespace SpatiallySparse.Backends.Cpu;

/// <summary>
/// A feature matrix in host memory. Storage is rented from the shared array pool and returned on dispose, so
/// a training loop that disposes its tape each step reuses the same buffers instead of allocating.
/// </summary>
internal sealed class CpuMatrix : FeatureMatrix
{
    private float[]? _data;

    private CpuMatrix(CpuBackend backend, int rows, int columns)
        : base(backend, rows, columns)
    {
    }

    /// <summary>A matrix with pooled storage, zeroed when <paramref name="clear"/>; a recycled handle when one is free.</summary>
    internal static CpuMatrix Create(CpuBackend backend, int rows, int columns, bool clear = true)
    {
        // A recycled handle (its storage went back to the array pool) when one is free, so a warm step allocates none.
        CpuMatrix? m = RecyclePool<CpuMatrix>.TryRent();
        if (m is null)
            m = new CpuMatrix(backend, rows, columns);
        else
            m.Reinitialize(backend, rows, columns);
        int length = checked(rows * columns);
        m._data = length == 0 ? [] : ArrayPool<float>.Shared.Rent(length);
        if (clear)
            backend.Fill(m.Span, 0f);
        return m;
    }

    /// <summary>The elements, row-major; throws once disposed.</summary>
    public Span<float> Span => (_data ?? throw new ObjectDisposedException(nameof(CpuMatrix))).AsSpan(0, (int)Length);

    /// <summary>The rented array itself (possibly longer than <see cref="FeatureMatrix.Length"/>), for loops that run in lambdas.</summary>
    internal float[] Data => _data ?? throw new ObjectDisposedException(nameof(CpuMatrix));

    /// <summary>Row <paramref name="row"/>.</summary>
    public Span<float> Row(int row) => Span.Slice(row * Columns, Columns);

    /// <inheritdoc/>
    protected override void Release()
    {
        float[]? data = _data;
        _data = null;
        if (data is { Length: > 0 })
            ArrayPool<float>.Shared.Return(data);
    }

    /// <inheritdoc/>
    private protected override void Recycle() => RecyclePool<CpuMatrix>.Return(this);
}
