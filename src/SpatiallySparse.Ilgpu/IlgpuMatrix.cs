using ILGPU;
using ILGPU.Runtime;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Ilgpu;

/// <summary>
/// A feature matrix in device memory: one dense buffer of Rows x Columns floats, row-major, owned by an
/// <see cref="IlgpuBackend"/> and freed on dispose.
/// </summary>
internal sealed class IlgpuMatrix : FeatureMatrix
{
    private MemoryBuffer1D<float, Stride1D.Dense>? _buffer;

    internal IlgpuMatrix(IlgpuBackend backend, Accelerator accelerator, int rows, int columns)
        : base(backend, rows, columns)
    {
        int length = checked(rows * columns);
        // ILGPU buffers cannot be empty; an empty matrix keeps one unused element and exposes an empty view.
        _buffer = accelerator.Allocate1D<float>(Math.Max(1, length));
        _buffer.MemSetToZero();
    }

    /// <summary>The device buffer; throws once disposed.</summary>
    public MemoryBuffer1D<float, Stride1D.Dense> Buffer => _buffer ?? throw new ObjectDisposedException(nameof(IlgpuMatrix));

    /// <summary>The elements as a device view of exactly Rows x Columns values.</summary>
    internal ArrayView<float> View => Buffer.View.BaseView.SubView(0, Length);

    /// <inheritdoc/>
    protected override void Release()
    {
        MemoryBuffer1D<float, Stride1D.Dense>? buffer = _buffer;
        _buffer = null;
        // After the backend is disposed the accelerator has already freed every buffer it owned.
        if (buffer is not null && !((IlgpuBackend)Backend).IsDisposed)
            buffer.Dispose();
    }
}
