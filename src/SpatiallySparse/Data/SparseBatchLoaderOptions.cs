using SpatiallySparse.Backends;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Data;

/// <summary>
/// Adds sample <paramref name="index"/> of the data set as sample <paramref name="slot"/> of
/// <paramref name="input"/>, drawing any augmentation from <paramref name="random"/> (seeded as
/// <see cref="SparseBatchLoaderOptions.Augmentation"/> says). Runs on a loader worker thread: it may read shared
/// data but must not write state another call reads.
/// </summary>
public delegate void AddSparseSample(SparseInput input, int slot, int index, Random random);

/// <summary>Settings of a <see cref="SparseBatchLoader"/>; <see cref="Validate"/> names any setting out of range.</summary>
public sealed class SparseBatchLoaderOptions
{
    /// <summary>Number of samples in the data set (&gt;= 1); batches draw indices from [0, SampleCount).</summary>
    public required int SampleCount { get; init; }

    /// <summary>
    /// Samples per batch (&gt;= 1) of this process; the last batch may be smaller unless <see cref="DropLast"/>.
    /// With <see cref="ShardCount"/> processes, a global batch holds <c>BatchSize * ShardCount</c> samples.
    /// </summary>
    public required int BatchSize { get; init; }

    /// <summary>Grid size of every sample (the input layer's spatial size).</summary>
    public required SpatialSize GridSize { get; init; }

    /// <summary>Features per point (&gt;= 1).</summary>
    public required int Channels { get; init; }

    /// <summary>Fills a batch slot; called on a worker thread.</summary>
    public required AddSparseSample AddSample { get; init; }

    /// <summary>Backend that receives each batch's input tensor.</summary>
    public required ISparseBackend Backend { get; init; }

    /// <summary>Label of a sample, called on a worker thread; null: batches carry no labels.</summary>
    public Func<int, int>? Label { get; init; }

    /// <summary>Seed of the shuffle and of the augmentation generators.</summary>
    public int Seed { get; init; }

    /// <summary>Whether each epoch visits the samples in the order <see cref="BatchSeeds.EpochOrder"/> gives (else 0, 1, 2, ...).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Whether a last batch smaller than <see cref="BatchSize"/> is left out.</summary>
    public bool DropLast { get; init; }

    /// <summary>Worker threads that build batches (1..64); default min(2, cores).</summary>
    public int Workers { get; init; } = Math.Min(2, Environment.ProcessorCount);

    /// <summary>
    /// Batches built (or being built) ahead of the consumer (1..1024): workers wait rather than run further
    /// ahead, so at most this many batches beyond the consumer's hold memory. Workers beyond this number idle.
    /// </summary>
    public int BatchesAhead { get; init; } = 2;

    /// <summary>How the augmentation generator handed to <see cref="AddSample"/> is seeded.</summary>
    public AugmentationScope Augmentation { get; init; } = AugmentationScope.Sample;

    /// <summary>What the input layer does with several points at one site.</summary>
    public DuplicateMode Duplicates { get; init; } = DuplicateMode.Error;

    /// <summary>
    /// A network whose geometry (every rulebook its layers will ask for, see <see cref="Sequential.BuildGeometry(SparseTensor)"/>)
    /// is built on the worker with the batch; null: layers build it during the step.
    /// </summary>
    public Sequential? Network { get; init; }

    /// <summary>
    /// Number of processes that share each batch (data-parallel training, 1..65536; default 1). Global batch
    /// <c>b</c> is the one a single process with batch size <c>BatchSize * ShardCount</c> would build, and process
    /// <see cref="ShardIndex"/> <c>r</c> takes its slots <c>[r * BatchSize, (r + 1) * BatchSize)</c> (a smaller last
    /// batch is split as evenly as it goes), so the shards together hold the same samples with the same augmentation
    /// as the single process (for <see cref="AugmentationScope.Sample"/>).
    /// </summary>
    public int ShardCount { get; init; } = 1;

    /// <summary>This process's shard of each batch, 0..<see cref="ShardCount"/>-1 (its MPI rank).</summary>
    public int ShardIndex { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> or <see cref="ArgumentNullException"/> naming a setting outside its range.</summary>
    public void Validate()
    {
        InRange(nameof(SampleCount), SampleCount, 1, int.MaxValue);
        InRange(nameof(BatchSize), BatchSize, 1, int.MaxValue);
        InRange(nameof(Channels), Channels, 1, int.MaxValue);
        InRange(nameof(Workers), Workers, 1, 64);
        InRange(nameof(BatchesAhead), BatchesAhead, 1, 1024);
        InRange(nameof(ShardCount), ShardCount, 1, 65536);
        InRange(nameof(ShardIndex), ShardIndex, 0, ShardCount - 1);
        ArgumentNullException.ThrowIfNull(GridSize, nameof(GridSize));
        ArgumentNullException.ThrowIfNull(AddSample, nameof(AddSample));
        ArgumentNullException.ThrowIfNull(Backend, nameof(Backend));
        if (!Enum.IsDefined(Augmentation))
            throw new ArgumentOutOfRangeException(nameof(Augmentation), Augmentation, $"{nameof(Augmentation)} is {(int)Augmentation}; accepted: {string.Join(", ", Enum.GetNames<AugmentationScope>())}.");
        if (DropLast && SampleCount < GlobalBatchSize)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"With {nameof(DropLast)}, {nameof(BatchSize)} {BatchSize} x {nameof(ShardCount)} {ShardCount} leaves no batch of {SampleCount} samples; accepted: 1..{SampleCount / ShardCount}.");
        long lastBatch = SampleCount % GlobalBatchSize;
        if (!DropLast && lastBatch != 0 && lastBatch < ShardCount)
            throw new ArgumentOutOfRangeException(nameof(SampleCount), SampleCount, $"{nameof(SampleCount)} {SampleCount} leaves a last batch of {lastBatch} samples for {ShardCount} shards, so a shard would be empty; set {nameof(DropLast)}, or use a sample count whose remainder modulo {GlobalBatchSize} is 0 or at least {ShardCount}.");
    }

    /// <summary>Samples per global batch, all shards together.</summary>
    internal long GlobalBatchSize => (long)BatchSize * ShardCount;

    /// <summary>This shard's slots [start, start + count) of batch <paramref name="batch"/>, as positions in the epoch order.</summary>
    internal (int Start, int Count) ShardOf(int batch)
    {
        long start = batch * GlobalBatchSize, count = Math.Min(GlobalBatchSize, SampleCount - start);
        long first = count * ShardIndex / ShardCount, end = count * (ShardIndex + 1) / ShardCount;
        return ((int)(start + first), (int)(end - first));
    }

    /// <summary>Batches per epoch.</summary>
    internal int BatchCount => (int)(DropLast ? SampleCount / GlobalBatchSize : (SampleCount + GlobalBatchSize - 1) / GlobalBatchSize);

    private static void InRange(string name, int value, int min, int max)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"{name} is {value}; accepted: {min}..{(max == int.MaxValue ? "int.MaxValue" : max)}.");
    }
}
