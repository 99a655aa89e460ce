using System.Buffers;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Layers;

/// <summary>What <see cref="InputLayer"/> does with several points at the same site of a sample.</summary>
public enum DuplicateMode
{
    /// <summary>Throw, naming the site.</summary>
    Error,

    /// <summary>Add their features.</summary>
    Sum,

    /// <summary>Average their features.</summary>
    Mean,

    /// <summary>Keep the first point added.</summary>
    First,

    /// <summary>Keep the last point added.</summary>
    Last,
}

/// <summary>
/// Turns a host batch of points into a <see cref="SparseTensor"/> on a backend, with zero ground state: it
/// validates every point, merges duplicates as chosen and creates the batch's <see cref="Metadata"/>.
/// </summary>
/// <example>
/// Points into a <see cref="SparseInput"/>, then a tensor on a backend (from <c>samples/Demo</c>).
/// <code language="csharp">
/// InputLayer input = new(new SpatialSize(32, 32));
/// SparseInput strokes = new(batchSize: 4, dimension: 2, channels: 1);
/// Random fresh = new(2026);
/// for (int b = 0; b &lt; 4; b++)
///     Strokes.Add(strokes, b, label: b, fresh);
/// using SparseTensor x = input.Forward(strokes, backend);
/// using DenseTensor scores = net.Forward(x);
/// </code>
/// </example>
public sealed class InputLayer
{
    /// <summary>Creates the layer for grids of <paramref name="spatialSize"/>.</summary>
    public InputLayer(SpatialSize spatialSize, DuplicateMode duplicates = DuplicateMode.Error)
    {
        SpatialSize = spatialSize ?? throw new ArgumentNullException(nameof(spatialSize));
        Duplicates = duplicates;
    }

    /// <summary>Grid size of every sample.</summary>
    public SpatialSize SpatialSize { get; }

    /// <summary>Duplicate policy.</summary>
    public DuplicateMode Duplicates { get; }

    /// <summary>
    /// Validates <paramref name="input"/> and uploads it to <paramref name="backend"/> for inference: the tensor,
    /// with the batch's geometry, is the caller's to dispose, and records no gradient.
    /// </summary>
    public SparseTensor Forward(SparseInput input, ISparseBackend backend)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(backend);
        using Tape tape = new(recordGradients: false);
        SparseTensor x = Forward(input, backend, tape);
        tape.Disown(x);
        tape.Disown(x.Metadata);
        x.OwnsMetadata = true;
        return x;
    }

    /// <summary>
    /// Validates <paramref name="input"/> and uploads it to <paramref name="backend"/>. The batch's
    /// <see cref="Metadata"/> is owned by <paramref name="tape"/>: disposing the tape gives its pooled geometry back.
    /// </summary>
    public SparseTensor Forward(SparseInput input, ISparseBackend backend, Tape tape)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(tape, nameof(tape));
        int n = input.PointCount, c = input.Channels;
        SpatialSize.ThrowIfBatchTooLarge(input.BatchSize);
        // Scratch comes from the pool; only what backward needs (when the input wants a gradient) outlives the call.
        long[] keys = ArrayPool<long>.Shared.Rent(Math.Max(1, n));
        int[] order = ArrayPool<int>.Shared.Rent(Math.Max(1, n));
        int[] rowOfPoint = input.RequiresGradient ? new int[n] : ArrayPool<int>.Shared.Rent(Math.Max(1, n));
        // Only the point gradient reads the weights: without one they are neither stored nor, for Error and Sum, computed.
        float[] weightOfPoint = input.RequiresGradient ? new float[n] : [];
        float[]? features = null;
        SparseGrid? grid = null;
        try
        {
            bool sorted = Validate(input, keys);
            SortedOrder(keys.AsSpan(0, n), order.AsSpan(0, n), sorted);
            grid = BuildGrid(input, keys, order, rowOfPoint);
            features = ArrayPool<float>.Shared.Rent(Math.Max(1, grid.ActiveCount * c));
            Reduce(input, order.AsSpan(0, n), rowOfPoint, grid.ActiveCount, weightOfPoint, features.AsSpan(0, grid.ActiveCount * c));
            SparseGrid owned = grid;
            // The batch's geometry runs on no more threads than the backend it is uploaded to.
            Metadata metadata = tape.Own(new Metadata(owned) { ThreadCap = backend is CpuBackend cpu ? cpu.Threads : 0 });
            grid = null;  // the metadata owns it now
            FeatureMatrix f = backend.AllocateForOverwrite(owned.ActiveCount, c);  // Upload fills it
            backend.Upload(features.AsSpan(0, owned.ActiveCount * c), f);
            SparseTensor x = tape.Own(SparseTensor.Create(metadata, owned, f, backend.Allocate(input.BatchSize, c), groundIsZero: true));
            x.NeedsGradient = input.RequiresGradient;
            if (input.RequiresGradient)
                RecordPointGradient(tape, input, x, rowOfPoint, weightOfPoint);
            return x;
        }
        finally
        {
            grid?.Release();
            ArrayPool<long>.Shared.Return(keys);
            ArrayPool<int>.Shared.Return(order);
            if (!input.RequiresGradient)
                ArrayPool<int>.Shared.Return(rowOfPoint);
            if (features is not null)
                ArrayPool<float>.Shared.Return(features);
        }
    }

    /// <summary>
    /// Checks every point and writes its site key (sample, then linear index) into <paramref name="keys"/>; returns
    /// whether the keys arrive in order. The grid's extents and volume are read into locals once: this loop runs
    /// for every point of every batch.
    /// </summary>
    private bool Validate(SparseInput input, long[] keys)
    {
        if (input.Dimension != SpatialSize.Dimension)
            throw new ArgumentException($"Input points are {input.Dimension}-dimensional but the input layer's grid is {SpatialSize} ({SpatialSize.Dimension}-dimensional).");
        int n = input.PointCount, dim = input.Dimension, c = input.Channels;
        ReadOnlySpan<int> samples = input.Samples, coords = input.Coordinates;
        ReadOnlySpan<float> features = input.Features;
        Span<int> extent = stackalloc int[dim];
        for (int d = 0; d < dim; d++)
            extent[d] = SpatialSize[d];
        long volume = SpatialSize.Volume, previous = long.MinValue;
        bool sorted = true;
        // Empty samples show up as empty row ranges when the grid is built (BuildGrid), so they are not counted here.
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<int> x = coords.Slice(i * dim, dim);
            long linear = 0;
            bool inside = true;
            for (int d = 0; d < extent.Length; d++)
            {
                inside &= (uint)x[d] < (uint)extent[d];
                linear = linear * extent[d] + x[d];
            }
            if (!inside)
                throw new ArgumentOutOfRangeException(nameof(input), $"Point {i} of sample {samples[i]} has coordinate ({string.Join(", ", x.ToArray())}) outside the spatial size {SpatialSize}.");
            for (int ch = 0; ch < c; ch++)
                if (!float.IsFinite(features[i * c + ch]))
                    throw new ArgumentException($"Point {i} of sample {samples[i]} at ({string.Join(", ", x.ToArray())}) has a non-finite feature {features[i * c + ch]} in channel {ch}.", nameof(input));
            long key = samples[i] * volume + linear;
            sorted &= previous <= key;
            (keys[i], previous) = (key, key);
        }
        return sorted;
    }

    /// <summary>
    /// Point indices sorted by site, ties in insertion order (so First and Last mean what they say). Points
    /// usually arrive <paramref name="sorted"/> (sample by sample, in raster order; <see cref="Validate"/> tells).
    /// </summary>
    private static void SortedOrder(ReadOnlySpan<long> keys, Span<int> order, bool sorted)
    {
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        if (sorted)
            return;
        long[] sortKeys = ArrayPool<long>.Shared.Rent(keys.Length);
        try
        {
            Span<long> k = sortKeys.AsSpan(0, keys.Length);
            keys.CopyTo(k);
            k.Sort(order);
            // The sort is not stable: put each run of equal keys back in insertion order.
            for (int start = 0, end; start < k.Length; start = end)
            {
                for (end = start + 1; end < k.Length && k[end] == k[start]; end++)
                {
                }
                if (end - start > 1)
                    order[start..end].Sort();
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(sortKeys);
        }
    }

    private SparseGrid BuildGrid(SparseInput input, long[] keys, int[] order, int[] rowOfPoint)
    {
        int n = input.PointCount;
        long[] linear = ArrayPool<long>.Shared.Rent(Math.Max(1, n));
        int[] offsets = SparseGrid.RentOffsets(input.BatchSize);
        offsets[0] = 0;  // pooled: the loop below writes only the later entries
        ReadOnlySpan<int> samples = input.Samples;
        long volume = SpatialSize.Volume, previous = -1;  // keys are never negative
        int sample = 0, count = 0;
        try
        {
            for (int k = 0; k < n; k++)
            {
                int i = order[k];
                int s = samples[i];
                while (sample < s)
                    offsets[++sample] = count;
                bool duplicate = keys[i] == previous;
                previous = keys[i];
                if (duplicate && Duplicates == DuplicateMode.Error)
                {
                    int[] coordinate = input.Coordinates.Slice(i * input.Dimension, input.Dimension).ToArray();
                    throw new ArgumentException($"Points {order[k - 1]} and {i} of sample {s} share the site ({string.Join(", ", coordinate)}); choose a DuplicateMode other than Error to merge them.", nameof(input));
                }
                if (!duplicate)
                    linear[count++] = keys[i] - s * volume;
                rowOfPoint[i] = count - 1;
            }
        }
        catch
        {
            ArrayPool<long>.Shared.Return(linear);
            throw;
        }
        while (sample < input.BatchSize)
            offsets[++sample] = count;
        for (int b = 0; b < input.BatchSize; b++)
        {
            if (offsets[b + 1] == offsets[b])
            {
                ArrayPool<long>.Shared.Return(linear);
                ArrayPool<int>.Shared.Return(offsets);
                throw new ArgumentException($"Sample {b} of the batch of {input.BatchSize} has no active sites; every sample needs at least one.", nameof(input));
            }
        }
        return SparseGrid.Create(SpatialSize, input.BatchSize, linear, count, offsets);
    }

    /// <summary>
    /// Each row's features from its points, by the duplicate policy; each point's weight in its row goes into
    /// <paramref name="weightOfPoint"/> unless that is empty (no gradient wanted).
    /// </summary>
    private void Reduce(SparseInput input, ReadOnlySpan<int> order, int[] rowOfPoint, int rows, Span<float> weightOfPoint, Span<float> features)
    {
        int c = input.Channels;
        ReadOnlySpan<float> source = input.Features;
        features.Clear();
        if (Duplicates is DuplicateMode.Error or DuplicateMode.Sum)
        {
            // Every weight is 1: no duplicate counting needed.
            weightOfPoint.Fill(1f);
            foreach (int i in order)
            {
                int row = rowOfPoint[i];
                for (int ch = 0; ch < c; ch++)
                    features[row * c + ch] += source[i * c + ch];
            }
            return;
        }
        int[] count = ArrayPool<int>.Shared.Rent(rows);
        int[] seen = ArrayPool<int>.Shared.Rent(rows);
        try
        {
            count.AsSpan(0, rows).Clear();
            seen.AsSpan(0, rows).Clear();
            foreach (int i in order)
                count[rowOfPoint[i]]++;
            foreach (int i in order)
            {
                int row = rowOfPoint[i];
                int rank = seen[row]++;
                float w = Duplicates switch
                {
                    DuplicateMode.Mean => 1f / count[row],
                    DuplicateMode.First => rank == 0 ? 1f : 0f,
                    DuplicateMode.Last => rank == count[row] - 1 ? 1f : 0f,
                    _ => 1f,
                };
                if (!weightOfPoint.IsEmpty)
                    weightOfPoint[i] = w;
                for (int ch = 0; ch < c; ch++)
                    features[row * c + ch] += w * source[i * c + ch];
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(count);
            ArrayPool<int>.Shared.Return(seen);
        }
    }

    /// <summary>Records the per-point gradient (kept out of <see cref="Forward(SparseInput, ISparseBackend, Tape)"/> so its closure is only made when needed).</summary>
    private static void RecordPointGradient(Tape tape, SparseInput input, SparseTensor x, int[] rowOfPoint, float[] weightOfPoint) =>
        tape.Record(() => input.FeatureGradient = PointGradient(x, rowOfPoint, weightOfPoint, input.Channels));

    private static float[] PointGradient(SparseTensor x, int[] rowOfPoint, float[] weightOfPoint, int c)
    {
        float[] gradient = new float[rowOfPoint.Length * c];
        if (x.Grad is null)
            return gradient;
        float[] rows = x.Grad.ToArray();
        for (int i = 0; i < rowOfPoint.Length; i++)
            for (int ch = 0; ch < c; ch++)
                gradient[i * c + ch] = weightOfPoint[i] * rows[rowOfPoint[i] * c + ch];
        return gradient;
    }

    /// <summary>E.g. <c>InputLayer 96x96 (Error)</c>.</summary>
    public override string ToString() => $"InputLayer {SpatialSize} ({Duplicates})";
}
