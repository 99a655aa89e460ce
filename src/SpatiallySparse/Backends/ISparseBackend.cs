namespace SpatiallySparse.Backends;

/// <summary>
/// One compute backend: it owns feature matrices and runs every numeric operation of the library on them.
/// Methods take preallocated outputs, do no shape inference or autograd, and validate shapes at entry.
/// Operations that end in "Add" or take gradients accumulate (<c>+=</c>); the others overwrite.
/// The operations are grouped by op in the partial files <c>ISparseBackend.*.cs</c>.
/// </summary>
public partial interface ISparseBackend : IDisposable
{
    /// <summary>Human-readable name, e.g. <c>cpu (2 threads, Vector512)</c>.</summary>
    string Name { get; }

    /// <summary>
    /// True when this backend can compute on <paramref name="matrix"/> (same memory space): every CPU backend
    /// can use every host matrix, whatever its thread settings.
    /// </summary>
    bool CanAccess(FeatureMatrix matrix);

    /// <summary>Allocates a zero-filled matrix.</summary>
    FeatureMatrix Allocate(int rows, int columns);

    /// <summary>
    /// Allocates a matrix whose contents are unspecified, for an output the caller's next operation overwrites
    /// entirely (an activation's or pooling's output, a copy): it skips clearing memory that is about to be
    /// written anyway. Backends that do not distinguish return <see cref="Allocate"/>'s zeroed matrix.
    /// </summary>
    FeatureMatrix AllocateForOverwrite(int rows, int columns) => Allocate(rows, columns);

    /// <summary>Copies host data (row-major, length Rows x Columns) into <paramref name="destination"/>.</summary>
    void Upload(ReadOnlySpan<float> source, FeatureMatrix destination);

    /// <summary>Copies <paramref name="source"/> to host memory.</summary>
    void Download(FeatureMatrix source, Span<float> destination);
}
