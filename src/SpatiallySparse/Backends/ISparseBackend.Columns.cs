namespace SpatiallySparse.Backends;

public partial interface ISparseBackend
{
    /// <summary>
    /// destination[:, firstColumn .. firstColumn + source.Columns) = source (same rows): one branch's channels of a
    /// concatenation. The default goes through host copies, so any backend is correct at once; backends override it.
    /// </summary>
    void CopyIntoColumns(FeatureMatrix source, FeatureMatrix destination, int firstColumn)
    {
        ColumnSlices.Check(source, destination, firstColumn, nameof(CopyIntoColumns));
        float[] s = source.ToArray(), d = destination.ToArray();
        ColumnSlices.Copy(s, d, source.Rows, destination.Columns, source.Columns, firstColumn);
        Upload(d, destination);
    }

    /// <summary>
    /// destination += source[:, firstColumn .. firstColumn + destination.Columns) (same rows): a concatenation's
    /// gradient back to one branch. The default goes through host copies; backends override it.
    /// </summary>
    void AddFromColumns(FeatureMatrix source, int firstColumn, FeatureMatrix destination)
    {
        ColumnSlices.Check(destination, source, firstColumn, nameof(AddFromColumns));
        float[] s = source.ToArray(), d = destination.ToArray();
        ColumnSlices.Add(s, source.Rows, source.Columns, firstColumn, d, destination.Columns);
        Upload(d, destination);
    }
}

/// <summary>Row-by-row column slice copies shared by the default and the CPU implementations.</summary>
internal static class ColumnSlices
{
    /// <summary>Throws unless <paramref name="narrow"/> fits in <paramref name="wide"/> from <paramref name="firstColumn"/> on.</summary>
    public static void Check(FeatureMatrix narrow, FeatureMatrix wide, int firstColumn, string operation)
    {
        ArgumentNullException.ThrowIfNull(narrow);
        ArgumentNullException.ThrowIfNull(wide);
        if (narrow.Rows != wide.Rows)
            throw new ArgumentException($"{operation}: {narrow.Rows} rows against {wide.Rows}; both matrices need the same rows.");
        if (firstColumn < 0 || firstColumn + narrow.Columns > wide.Columns)
            throw new ArgumentOutOfRangeException(nameof(firstColumn),
                $"{operation}: columns {firstColumn} .. {firstColumn + narrow.Columns} do not fit in {wide.Columns} columns; the first column must be in [0, {wide.Columns - narrow.Columns}].");
    }

    public static void Copy(ReadOnlySpan<float> source, Span<float> destination, int rows, int wideColumns, int narrowColumns, int firstColumn)
    {
        for (int r = 0; r < rows; r++)
            source.Slice(r * narrowColumns, narrowColumns).CopyTo(destination.Slice(r * wideColumns + firstColumn, narrowColumns));
    }

    public static void Add(ReadOnlySpan<float> source, int rows, int wideColumns, int firstColumn, Span<float> destination, int narrowColumns)
    {
        for (int r = 0; r < rows; r++)
        {
            Span<float> d = destination.Slice(r * narrowColumns, narrowColumns);
            System.Numerics.Tensors.TensorPrimitives.Add(d, source.Slice(r * wideColumns + firstColumn, narrowColumns), d);
        }
    }
}
