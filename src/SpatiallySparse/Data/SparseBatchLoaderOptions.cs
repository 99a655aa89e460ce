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

    /// <summary>Samples per batch (&gt;= 1); the last batch may be smaller unless <see cref="DropLast"/>.</summary>
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

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> or <see cref="ArgumentNullException"/> naming a setting outside its range.</summary>
    public void Validate()
    {
        InRange(nameof(SampleCount), SampleCount, 1, int.MaxValue);
        InRange(nameof(BatchSize), BatchSize, 1, int.MaxValue);
        InRange(nameof(Channels), Channels, 1, int.MaxValue);
        InRange(nameof(Workers), Workers, 1, 64);
        InRange(nameof(BatchesAhead), BatchesAhead, 1, 1024);
        ArgumentNullException.ThrowIfNull(GridSize, nameof(GridSize));
        ArgumentNullException.ThrowIfNull(AddSample, nameof(AddSample));
        ArgumentNullException.ThrowIfNull(Backend, nameof(Backend));
        if (!Enum.IsDefined(Augmentation))
            throw new ArgumentOutOfRangeException(nameof(Augmentation), Augmentation, $"{nameof(Augmentation)} is {(int)Augmentation}; accepted: {string.Join(", ", Enum.GetNames<AugmentationScope>())}.");
        if (DropLast && SampleCount < BatchSize)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"With {nameof(DropLast)}, {nameof(BatchSize)} {BatchSize} leaves no batch of {SampleCount} samples; accepted: 1..{SampleCount}.");
    }

    /// <summary>Batches per epoch.</summary>
    internal int BatchCount => DropLast ? SampleCount / BatchSize : (int)(((long)SampleCount + BatchSize - 1) / BatchSize);

    private static void InRange(string name, int value, int min, int max)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"{name} is {value}; accepted: {min}..{(max == int.MaxValue ? "int.MaxValue" : max)}.");
    }
}
