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

    /// <summary>Each row's softmax (class probabilities for logits), BatchSize x Width row-major, in a new host array.</summary>
    public float[] Softmax()
    {
        float[] probabilities = new float[Features.Length];
        Softmax(probabilities);
        return probabilities;
    }

    /// <summary>Writes each row's softmax into <paramref name="probabilities"/> (BatchSize x Width, row-major); allocates nothing.</summary>
    /// <exception cref="ArgumentException">The destination's length is not BatchSize x Width.</exception>
    public void Softmax(Span<float> probabilities)
    {
        if (probabilities.Length != Features.Length)
            throw new ArgumentException($"The destination holds {probabilities.Length} values; {this} needs {Features.Length}.", nameof(probabilities));
        Backend.Download(Features, probabilities);
        for (int b = 0; b < BatchSize; b++)
            SoftmaxRow(probabilities.Slice(b * Width, Width));
    }

    /// <summary>Each row's arg-max (the predicted class for logits; the first on ties), in a new array.</summary>
    public int[] ArgMax()
    {
        int[] classes = new int[BatchSize];
        ArgMax(classes);
        return classes;
    }

    /// <summary>Writes each row's arg-max (the first on ties) into <paramref name="classes"/> (length BatchSize).</summary>
    /// <exception cref="ArgumentException">The destination's length is not BatchSize.</exception>
    public void ArgMax(Span<int> classes)
    {
        if (classes.Length != BatchSize)
            throw new ArgumentException($"The destination holds {classes.Length} values; {this} has {BatchSize} rows.", nameof(classes));
        Layers.SoftmaxCrossEntropy.ArgMax(Features, classes);
    }

    /// <summary>Softmax in place, shifted by the row's maximum so large logits do not overflow.</summary>
    private static void SoftmaxRow(Span<float> row)
    {
        float max = float.NegativeInfinity;
        foreach (float v in row)
            max = Math.Max(max, v);
        double sum = 0;
        for (int c = 0; c < row.Length; c++)
            sum += row[c] = MathF.Exp(row[c] - max);
        float scale = (float)(1 / sum);
        for (int c = 0; c < row.Length; c++)
            row[c] *= scale;
    }

    /// <summary>Shape, e.g. <c>DenseTensor(100 x 10)</c>.</summary>
    public override string ToString() => $"DenseTensor({BatchSize} x {Width})";
}
