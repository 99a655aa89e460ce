namespace SpatiallySparse.Backends;

/// <summary>
/// A row-major float matrix owned by a backend (host memory for the CPU backend, device memory for a GPU
/// backend). Feature matrices have one row per active site and one column per channel; parameters and
/// per-sample ground states use the same type. Layers never touch the numbers directly: they call the
/// backend, so one network runs unchanged on every backend.
/// </summary>
public abstract class FeatureMatrix : IDisposable
{
    /// <summary>Creates the shape record; the backend owns the storage.</summary>
    protected FeatureMatrix(ISparseBackend backend, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        Backend = backend;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>The backend that owns the storage.</summary>
    public ISparseBackend Backend { get; private set; }

    /// <summary>Number of rows.</summary>
    public int Rows { get; private set; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; private set; }

    /// <summary>Rows x Columns.</summary>
    public long Length => (long)Rows * Columns;

    /// <summary>True once disposed; using a disposed matrix throws.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>
    /// Set by the library on a matrix that nothing outside its own step bookkeeping can reach (a layer's scratch,
    /// the storage of a tensor no caller ever saw): disposing it may then hand this object to a later allocation
    /// (<see cref="Recycle"/>), which no stale reference can observe because none exists.
    /// </summary>
    internal bool Recyclable { get; set; }

    /// <summary>Copies the matrix to a new host array (row-major).</summary>
    public float[] ToArray()
    {
        float[] result = new float[Length];
        Backend.Download(this, result);
        return result;
    }

    /// <summary>Shape, e.g. <c>FeatureMatrix(1200 x 64)</c>.</summary>
    public override string ToString() => $"FeatureMatrix({Rows} x {Columns})";

    /// <summary>Frees the storage.</summary>
    public void Dispose()
    {
        if (IsDisposed)
            return;
        IsDisposed = true;
        Release();
        GC.SuppressFinalize(this);
        if (Recyclable)
        {
            Recyclable = false;
            Recycle();
        }
    }

    /// <summary>Returns the storage to the backend.</summary>
    protected abstract void Release();

    /// <summary>Called after <see cref="Release"/> on a <see cref="Recyclable"/> matrix: a backend may keep the object for reuse.</summary>
    private protected virtual void Recycle()
    {
    }

    /// <summary>Makes a recycled (disposed) matrix a live one of a new shape; the backend then attaches storage.</summary>
    private protected void Reinitialize(ISparseBackend backend, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        (Backend, Rows, Columns, IsDisposed) = (backend, rows, columns, false);
    }
}
