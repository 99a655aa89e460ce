using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Ilgpu;

/// <summary>
/// The ILGPU backend: every operation of <see cref="ISparseBackend"/> runs as a kernel on one accelerator
/// (a CUDA GPU, or ILGPU's CPU emulator for tests), so a training step keeps activations on the device.
/// Rulebooks and grids are uploaded once per object and cached by identity (<see cref="GeometryUploads"/>).
/// Results are deterministic: every output element is summed by one thread in a fixed order, or by a
/// two-stage reduction with a fixed order; no kernel uses floating-point atomics.
/// Not thread-safe: use one backend from one thread at a time (kernels run in order on one stream).
/// It implements the primitives only: the fused paths would be separate launches here anyway, so the layers'
/// composition of the primitives is what it would run.
/// </summary>
public sealed partial class IlgpuBackend : ISparseBackend
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly DeviceGeometryCache _geometry;
    private readonly ScratchBuffers _scratch;

    private IlgpuBackend(Context context, Accelerator accelerator)
    {
        _context = context;
        _accelerator = accelerator;
        _geometry = new DeviceGeometryCache(accelerator);
        _scratch = new ScratchBuffers(accelerator);
        // Square groups of TileSize^2 threads: 16 x 16 on GPUs, 4 x 4 on the CPU emulator (16 threads at most).
        TileSize = accelerator.MaxNumThreadsPerGroup >= 256 ? 16 : (int)Math.Sqrt(accelerator.MaxNumThreadsPerGroup);
        if (TileSize < 2)
            throw new NotSupportedException($"{accelerator.Name} allows only {accelerator.MaxNumThreadsPerGroup} threads per group.");
    }

    /// <summary>
    /// Creates a backend on CUDA device <paramref name="deviceIndex"/>. Throws <see cref="InvalidOperationException"/>
    /// when no CUDA device exists: it never falls back to the (very slow) CPU emulator.
    /// </summary>
    public static IlgpuBackend CreateCuda(int deviceIndex = 0)
    {
        CudaLibraryResolver.Register();
        Context context = Context.Create(builder => builder.Cuda().EnableAlgorithms());
        try
        {
            Context.DeviceCollection<CudaDevice> devices = context.GetCudaDevices();
            if (devices.Count == 0)
                throw new InvalidOperationException("No CUDA device found: ILGPU could not load the CUDA driver (libcuda.so / libcuda.so.1) or the driver reports no GPU. Use IlgpuBackend.CreateCpuEmulator() for tests, or CpuBackend.");
            if ((uint)deviceIndex >= (uint)devices.Count)
                throw new ArgumentOutOfRangeException(nameof(deviceIndex), $"CUDA device {deviceIndex} requested but only {devices.Count} found.");
            return new IlgpuBackend(context, context.CreateCudaAccelerator(deviceIndex));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>True when a CUDA device is available to <see cref="CreateCuda"/>.</summary>
    public static bool IsCudaAvailable()
    {
        CudaLibraryResolver.Register();
        try
        {
            using Context context = Context.Create(builder => builder.Cuda());
            return context.GetCudaDevices().Count > 0;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Creates a backend on ILGPU's CPU accelerator: it runs the GPU kernels (slowly) on machines without a GPU.
    /// With <paramref name="gpuSizedGroups"/> the emulated device allows 256 threads per group, so the tiled kernels
    /// use the same 16 x 16 groups as on a GPU (slower still; for tests of the GPU configuration).
    /// </summary>
    public static IlgpuBackend CreateCpuEmulator(bool gpuSizedGroups = false)
    {
        Context context = Context.Create(builder =>
        {
            if (gpuSizedGroups)
                builder.CPU(new CPUDevice(numThreadsPerWarp: 32, numWarpsPerMultiprocessor: 8, numMultiprocessors: 2));
            else
                builder.CPU();
            builder.EnableAlgorithms();
        });
        return new IlgpuBackend(context, context.CreateCPUAccelerator(0));
    }

    /// <inheritdoc/>
    public string Name => $"ilgpu ({_accelerator.AcceleratorType}: {_accelerator.Name})";

    /// <summary>The accelerator's name as ILGPU reports it (e.g. the GPU model).</summary>
    public string DeviceName => _accelerator.Name;

    /// <summary>True on a CUDA device, false on the CPU emulator.</summary>
    public bool IsCuda => _accelerator.AcceleratorType == AcceleratorType.Cuda;

    /// <summary>Side of the square thread groups of the tiled kernels.</summary>
    public int TileSize { get; }

    /// <summary>
    /// Diagnostic: number of geometry arrays (rulebook pairs, neighbour tables, grid offsets) copied to the device
    /// so far. It grows once per new rulebook or grid, never per layer call.
    /// </summary>
    public long GeometryUploads => _geometry.Uploads;

    /// <summary>Bytes of device memory held by cached geometry now (tests check that disposing a batch frees it).</summary>
    internal long GeometryBytesInUse => _geometry.BytesInUse;

    /// <summary>True once disposed.</summary>
    public bool IsDisposed { get; private set; }

    /// <inheritdoc/>
    public bool CanAccess(FeatureMatrix matrix) => matrix is IlgpuMatrix m && ReferenceEquals(m.Backend, this);

    /// <inheritdoc/>
    public FeatureMatrix Allocate(int rows, int columns)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return new IlgpuMatrix(this, _accelerator, rows, columns);
    }

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<float> source, FeatureMatrix destination)
    {
        ArrayView<float> d = Dev(destination);
        if (source.Length != d.Length)
            throw new ArgumentException($"Upload of {source.Length} values into a {destination.Rows} x {destination.Columns} matrix.");
        if (source.Length > 0)
            ((ArrayView1D<float, Stride1D.Dense>)d).CopyFromCPU(_accelerator.DefaultStream, source);
        _accelerator.Synchronize();
    }

    /// <inheritdoc/>
    public void Download(FeatureMatrix source, Span<float> destination)
    {
        ArrayView<float> s = Dev(source);
        if (destination.Length != s.Length)
            throw new ArgumentException($"Download of a {source.Rows} x {source.Columns} matrix into {destination.Length} values.");
        _accelerator.Synchronize();
        if (destination.Length > 0)
            ((ArrayView1D<float, Stride1D.Dense>)s).CopyToCPU(_accelerator.DefaultStream, destination);
        _accelerator.Synchronize();
    }

    /// <summary>Waits for every queued kernel (for timing).</summary>
    public void Synchronize() => _accelerator.Synchronize();

    /// <summary>Frees cached geometry, scratch buffers, the accelerator and the ILGPU context.</summary>
    public void Dispose()
    {
        if (IsDisposed)
            return;
        _geometry.Dispose();
        _scratch.Dispose();
        _accelerator.Dispose();
        _context.Dispose();
        IsDisposed = true;
    }

    /// <summary>The device view of a matrix of this backend.</summary>
    internal ArrayView<float> Dev(FeatureMatrix matrix)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (matrix is not IlgpuMatrix m || !ReferenceEquals(m.Backend, this))
            throw new ArgumentException($"{matrix} belongs to backend '{matrix.Backend.Name}', not to {Name}.");
        return m.View;
    }

    private static void CheckSameShape(FeatureMatrix a, FeatureMatrix b, string what)
    {
        if (a.Rows != b.Rows || a.Columns != b.Columns)
            throw new ArgumentException($"{what}: shapes {a.Rows} x {a.Columns} and {b.Rows} x {b.Columns} differ.");
    }

    private static void CheckShape(FeatureMatrix m, int rows, int columns, string what)
    {
        if (m.Rows != rows || m.Columns != columns)
            throw new ArgumentException($"{what}: expected {rows} x {columns}, got {m.Rows} x {m.Columns}.");
    }
}
