using ILGPU;
using ILGPU.Runtime;

namespace SpatiallySparse.Ilgpu;

/// <summary>
/// Reused device work space (transposed weights, reduction partials, labels). Kernels run in order on one
/// stream, so one buffer per purpose is enough; it grows to the largest request and is never shrunk.
/// </summary>
internal sealed class ScratchBuffers(Accelerator accelerator) : IDisposable
{
    private readonly Dictionary<string, MemoryBuffer> _buffers = [];

    /// <summary>A view of at least <paramref name="length"/> elements of the buffer named <paramref name="purpose"/>.</summary>
    public ArrayView<T> Get<T>(string purpose, long length)
        where T : unmanaged
    {
        long needed = Math.Max(1, length);
        if (_buffers.TryGetValue(purpose, out MemoryBuffer? existing) && existing is MemoryBuffer1D<T, Stride1D.Dense> typed && typed.Length >= needed)
            return typed.View.BaseView.SubView(0, length);
        if (existing is not null)
        {
            // A queued kernel may still read the old buffer.
            accelerator.Synchronize();
            existing.Dispose();
        }
        MemoryBuffer1D<T, Stride1D.Dense> buffer = accelerator.Allocate1D<T>(needed);
        _buffers[purpose] = buffer;
        return buffer.View.BaseView.SubView(0, length);
    }

    public void Dispose()
    {
        foreach (MemoryBuffer buffer in _buffers.Values)
            buffer.Dispose();
        _buffers.Clear();
    }
}
