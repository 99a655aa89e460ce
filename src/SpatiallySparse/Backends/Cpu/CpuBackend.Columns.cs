namespace SpatiallySparse.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void CopyIntoColumns(FeatureMatrix source, FeatureMatrix destination, int firstColumn)
    {
        ColumnSlices.Check(source, destination, firstColumn, nameof(CopyIntoColumns));
        ColumnSlices.Copy(Host(source), Host(destination), source.Rows, destination.Columns, source.Columns, firstColumn);
    }

    /// <inheritdoc/>
    public void AddFromColumns(FeatureMatrix source, int firstColumn, FeatureMatrix destination)
    {
        ColumnSlices.Check(destination, source, firstColumn, nameof(AddFromColumns));
        ColumnSlices.Add(Host(source), source.Rows, source.Columns, firstColumn, Host(destination), destination.Columns);
    }
}
