using SpatiallySparse.Backends;

namespace SpatiallySparse;

/// <summary>A dense batch: one row per sample (e.g. logits, or a flattened sparse-to-dense output).</summary>
public sealed class DenseTensor : Tensor
{
    /// <summary>Wraps <paramref name="values"/> (BatchSize x Width); the tensor owns it.</summary>
    public DenseTensor(FeatureMatrix values)
        : base(values)
    {
    }

    /// <summary>The constructor's tensor for the library's layers: a recycled object when one is free.</summary>
    internal static DenseTensor Create(FeatureMatrix values)
    {
        if (RecyclePool<DenseTensor>.TryRent() is not { } y)
            return new DenseTensor(values);
        ArgumentNullException.ThrowIfNull(values);
        y.Reinitialize(values);
        return y;
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        if (Disposed)
            return;
        bool recycle = Recyclable;
        base.Dispose();
        if (recycle)
            RecyclePool<DenseTensor>.Return(this);
    }

    /// <summary>Number of samples (rows).</summary>
    public int BatchSize => Features.Rows;

    /// <summary>Values per sample (columns).</summary>
    public int Width => Features.Columns;

    /// <summary>Copies host values (BatchSize x Width, row-major) to a new tensor on <paramref name="backend"/>.</summary>
    public static DenseTensor FromArray(ISparseBackend backend, float[] values, int batchSize, int width)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != (long)batchSize * width)
            throw new ArgumentException($"{values.Length} values do not form {batchSize} x {width}.");
        FeatureMatrix m = backend.Allocate(batchSize, width);
        backend.Upload(values, m);
        return new DenseTensor(m);
    }

    /// <summary>The values on the host, row-major.</summary>
    public float[] ToArray() => Features.ToArray();

    /// <summary>Shape, e.g. <c>DenseTensor(100 x 10)</c>.</summary>
    public override string ToString() => $"DenseTensor({BatchSize} x {Width})";
}
