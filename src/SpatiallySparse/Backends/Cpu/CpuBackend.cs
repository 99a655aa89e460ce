using SpatiallySparse.Backends.Cpu.Simd;

namespace SpatiallySparse.Backends.Cpu;

/// <summary>
/// The CPU backend: SIMD (Vector512 / Vector256 / scalar) kernels, multi-threaded over disjoint output rows
/// so results are bit-identical whatever the thread count. Stateless apart from its settings; safe to share.
/// Besides the primitives it fuses a convolution with its activation and a network's first block.
/// </summary>
public sealed partial class CpuBackend : ISparseBackend, IFusedConvolutionActivationBackend, IFusedConvolutionPoolingBackend
{
    private static readonly Lazy<CpuBackend> SharedInstance = new(() => new CpuBackend());

    /// <summary>Creates a backend using <paramref name="threads"/> threads (0: one per core) and the given SIMD level (null: the widest available).</summary>
    public CpuBackend(int threads = 0, SimdLevel? simd = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        Simd = simd ?? SimdLevels.Best;
        if (Simd > SimdLevels.Best)
            throw new PlatformNotSupportedException($"SIMD level {Simd} is not supported on this machine (best: {SimdLevels.Best}).");
    }

    /// <summary>A process-wide backend with default settings.</summary>
    public static CpuBackend Shared => SharedInstance.Value;

    /// <summary>Worker threads used by the heavy kernels.</summary>
    public int Threads { get; }

    /// <summary>SIMD level of the kernels.</summary>
    public SimdLevel Simd { get; }

    /// <inheritdoc/>
    public string Name => $"cpu ({Threads} threads, {Simd})";

    /// <inheritdoc/>
    public bool CanAccess(FeatureMatrix matrix) => matrix is CpuMatrix;

    /// <inheritdoc/>
    public FeatureMatrix Allocate(int rows, int columns) => CpuMatrix.Create(this, rows, columns);

    /// <inheritdoc/>
    public FeatureMatrix AllocateForOverwrite(int rows, int columns) => CpuMatrix.Create(this, rows, columns, clear: false);

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<float> source, FeatureMatrix destination)
    {
        Span<float> d = Host(destination);
        if (source.Length != d.Length)
            throw new ArgumentException($"Upload of {source.Length} values into a {destination.Rows} x {destination.Columns} matrix.");
        source.CopyTo(d);
    }

    /// <inheritdoc/>
    public void Download(FeatureMatrix source, Span<float> destination)
    {
        Span<float> s = Host(source);
        if (destination.Length != s.Length)
            throw new ArgumentException($"Download of a {source.Rows} x {source.Columns} matrix into {destination.Length} values.");
        s.CopyTo(destination);
    }

    /// <summary>Nothing to free: matrices own their storage.</summary>
    public void Dispose()
    {
    }

    /// <summary>The host storage of a matrix of any CPU backend.</summary>
    internal static Span<float> Host(FeatureMatrix matrix) =>
        matrix is CpuMatrix m ? m.Span : throw new ArgumentException($"{matrix} belongs to backend '{matrix.Backend.Name}', not to a CPU backend.");

    internal static void CheckSameShape(FeatureMatrix a, FeatureMatrix b, string what)
    {
        if (a.Rows != b.Rows || a.Columns != b.Columns)
            throw new ArgumentException($"{what}: shapes {a.Rows} x {a.Columns} and {b.Rows} x {b.Columns} differ.");
    }

    internal static void CheckShape(FeatureMatrix m, int rows, int columns, string what)
    {
        if (m.Rows != rows || m.Columns != columns)
            throw new ArgumentException($"{what}: expected {rows} x {columns}, got {m.Rows} x {m.Columns}.");
    }
}
