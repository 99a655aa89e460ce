using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Ilgpu;

/// <summary>A rulebook on the device: all taps' pairs concatenated, with the host's tap offsets.</summary>
internal sealed class DeviceRules(ArrayView<int> inputRows, ArrayView<int> outputRows, int[] tapStart)
{
    public ArrayView<int> InputRows { get; } = inputRows;

    public ArrayView<int> OutputRows { get; } = outputRows;

    /// <summary>Pairs of tap t are [TapStart[t], TapStart[t + 1]).</summary>
    public int[] TapStart { get; } = tapStart;

    /// <summary>The output-major neighbour table, uploaded on first use (only pooling needs it).</summary>
    public ArrayView<int>? Neighbours { get; set; }
}

/// <summary>A grid's row geometry on the device.</summary>
internal sealed class DeviceGrid(ArrayView<int> sampleOffsets, ArrayView<int> sampleOfRow, ArrayView<long> linearIndexOfRow)
{
    public ArrayView<int> SampleOffsets { get; } = sampleOffsets;

    public ArrayView<int> SampleOfRow { get; } = sampleOfRow;

    public ArrayView<long> LinearIndexOfRow { get; } = linearIndexOfRow;
}

/// <summary>
/// Device copies of rulebooks and grids, keyed by object identity: each is uploaded once however many layers
/// and backward passes use it. A copy is freed when its host object's storage is released (the batch's metadata
/// is disposed), so device memory does not wait for the garbage collector; copies of objects that no metadata
/// owns are freed at the next upload once the collector has reclaimed them, and all of them with the backend.
/// </summary>
internal sealed class DeviceGeometryCache(Accelerator accelerator) : IDisposable
{
    private readonly ConditionalWeakTable<object, object> _entries = [];
    private readonly List<(WeakReference<object> Owner, List<MemoryBuffer> Buffers)> _owned = [];
    private readonly Lock _gate = new();
    private long _uploads;

    public long Uploads => Interlocked.Read(ref _uploads);

    /// <summary>Bytes of device memory the cached copies hold now.</summary>
    public long BytesInUse
    {
        get
        {
            lock (_gate)
                return _owned.Sum(o => o.Buffers.Sum(b => b.LengthInBytes));
        }
    }

    public DeviceRules Get(RuleBook rules)
    {
        if (_entries.TryGetValue(rules, out object? cached))
            return (DeviceRules)cached;
        int[] tapStart = new int[rules.FilterVolume + 1];
        for (int t = 0; t < rules.FilterVolume; t++)
            tapStart[t + 1] = tapStart[t] + rules.InputRowsOf(t).Length;
        int[] ins = new int[rules.PairCount], outs = new int[rules.PairCount];
        for (int t = 0; t < rules.FilterVolume; t++)
        {
            rules.InputRowsOf(t).CopyTo(ins.AsSpan(tapStart[t]));
            rules.OutputRowsOf(t).CopyTo(outs.AsSpan(tapStart[t]));
        }
        List<MemoryBuffer> buffers = Own(rules);
        rules.OnRelease(() => Free(rules));
        DeviceRules entry = new(Upload<int>(ins, buffers), Upload<int>(outs, buffers), tapStart);
        _entries.Add(rules, entry);
        return entry;
    }

    public ArrayView<int> Neighbours(RuleBook rules)
    {
        DeviceRules entry = Get(rules);
        entry.Neighbours ??= Upload(rules.NeighbourTable, OwnedBy(rules));
        return entry.Neighbours.Value;
    }

    public DeviceGrid Get(SparseGrid grid)
    {
        if (_entries.TryGetValue(grid, out object? cached))
            return (DeviceGrid)cached;
        List<MemoryBuffer> buffers = Own(grid);
        grid.OnRelease(() => Free(grid));
        DeviceGrid entry = new(Upload<int>(grid.SampleOffsets, buffers), Upload(grid.SampleOfRow, buffers), Upload(grid.LinearIndexOfRow, buffers));
        _entries.Add(grid, entry);
        return entry;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach ((WeakReference<object> _, List<MemoryBuffer> buffers) in _owned)
                buffers.ForEach(b => b.Dispose());
            _owned.Clear();
            _entries.Clear();
        }
    }

    /// <summary>Frees the copies of <paramref name="owner"/> (its storage was released; a recycled object must not find them).</summary>
    private void Free(object owner)
    {
        lock (_gate)
        {
            _entries.Remove(owner);
            for (int i = _owned.Count - 1; i >= 0; i--)
                if (_owned[i].Owner.TryGetTarget(out object? target) && ReferenceEquals(target, owner))
                {
                    _owned[i].Buffers.ForEach(b => b.Dispose());
                    _owned.RemoveAt(i);
                }
        }
    }

    private ArrayView<T> Upload<T>(ReadOnlySpan<T> values, List<MemoryBuffer> owner)
        where T : unmanaged
    {
        MemoryBuffer1D<T, Stride1D.Dense> buffer = accelerator.Allocate1D<T>(Math.Max(1, values.Length));
        if (values.Length > 0)
            buffer.View.SubView(0, values.Length).CopyFromCPU(accelerator.DefaultStream, values);
        accelerator.Synchronize();
        lock (_gate)
            owner.Add(buffer);
        Interlocked.Increment(ref _uploads);
        return buffer.View.BaseView.SubView(0, values.Length);
    }

    private List<MemoryBuffer> Own(object owner)
    {
        List<MemoryBuffer> buffers = [];
        lock (_gate)
        {
            FreeCollected();
            _owned.Add((new WeakReference<object>(owner), buffers));
        }
        return buffers;
    }

    private List<MemoryBuffer> OwnedBy(object owner)
    {
        lock (_gate)
            foreach ((WeakReference<object> reference, List<MemoryBuffer> buffers) in _owned)
                if (reference.TryGetTarget(out object? target) && ReferenceEquals(target, owner))
                    return buffers;
        throw new InvalidOperationException("Geometry entry without owned buffers.");
    }

    private void FreeCollected()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
            if (!_owned[i].Owner.TryGetTarget(out _))
            {
                _owned[i].Buffers.ForEach(b => b.Dispose());
                _owned.RemoveAt(i);
            }
    }
}
