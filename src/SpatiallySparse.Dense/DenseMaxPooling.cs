using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Dense;

/// <summary>Dense max pooling without padding; the gradient goes to the first maximum in tap order.</summary>
public sealed class DenseMaxPooling : DenseMapModule
{
    /// <summary>Pooling with a cubic window <paramref name="poolSize"/> and stride <paramref name="stride"/>.</summary>
    public DenseMaxPooling(int dimension, int poolSize, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(poolSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        PoolSize = SpatialSize.Cube(dimension, poolSize);
        Stride = SpatialSize.Cube(dimension, stride);
    }

    /// <summary>Window extent per dimension.</summary>
    public SpatialSize PoolSize { get; }

    /// <summary>Stride per dimension.</summary>
    public SpatialSize Stride { get; }

    /// <inheritdoc/>
    protected override DenseFeatureMap ForwardCore(DenseFeatureMap input, Tape tape)
    {
        ISparseBackend be = input.Backend;
        WindowTable table = WindowTable.Get(input.SpatialSize, PoolSize, Stride);
        int batch = input.BatchSize, c = input.Channels, outRows = batch * (int)table.Output.Volume;
        FeatureMatrix values = be.AllocateForOverwrite(outRows, c);
        int inVolume = (int)input.SpatialSize.Volume, threads = DenseKernels.ThreadsOf(be);
        DenseKernels.MaxPool(DenseKernels.Host(input.Features), batch, inVolume, c, table, DenseKernels.Host(values), threads);
        DenseFeatureMap y = tape.Own(new DenseFeatureMap(values, batch, table.Output));
        tape.Record(() =>
        {
            if (y.Grad is not null && input.NeedsGradient)
                DenseKernels.MaxPoolBackward(DenseKernels.Host(input.Features), DenseKernels.Host(y.Grad), batch, inVolume, c, table,
                    DenseKernels.Host(input.GradOrCreate()), threads);
        });
        return y;
    }

    /// <summary>E.g. <c>DenseMaxPooling 2x2/2x2</c>.</summary>
    public override string ToString() => $"DenseMaxPooling {PoolSize}/{Stride}";
}
