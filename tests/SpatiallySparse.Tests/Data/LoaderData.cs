using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Data;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Data;

/// <summary>
/// A synthetic data set for loader tests: sample i is a short bar whose place depends on i and on a random
/// shift, so any change of order or of augmentation draws changes the batches.
/// </summary>
internal static class LoaderData
{
    public const int Side = 24, Classes = 3;

    public static void AddSample(SparseInput input, int slot, int index, Random random)
    {
        int shift = random.Next(-2, 3), row = 4 + index * 7 % 14 + shift, column = 3 + index * 5 % 12;
        int length = 3 + index % 4;
        for (int k = 0; k < length; k++)
            input.Add(slot, [row, column + k], [1f + index % 5, 0.5f * k]);
    }

    public static int Label(int index) => index % Classes;

    public static SparseBatchLoaderOptions Options(int workers, int ahead, AugmentationScope scope = AugmentationScope.Sample, int samples = 23, int batch = 5) => new()
    {
        SampleCount = samples,
        BatchSize = batch,
        GridSize = SpatialSize.Cube(2, Side),
        Channels = 2,
        AddSample = AddSample,
        Label = Label,
        Backend = CpuBackend.Shared,
        Seed = 7,
        Workers = workers,
        BatchesAhead = ahead,
        Augmentation = scope,
    };

    /// <summary>Everything observable of a batch, as text (float bits in hex), for exact comparison.</summary>
    public static string Snapshot(SparseBatch batch)
    {
        SparseInput input = batch.Input;
        return string.Join("|",
            $"{batch.Epoch}/{batch.Index}",
            string.Join(",", batch.Indices),
            string.Join(",", batch.Labels ?? []),
            string.Join(",", input.Samples.ToArray()),
            string.Join(",", input.Coordinates.ToArray()),
            string.Join(",", input.Features.ToArray().Select(BitConverter.SingleToInt32Bits)),
            string.Join(",", batch.Tensor.Grid.LinearIndexOfRow.ToArray()),
            string.Join(",", batch.Tensor.GetFeatures().Select(f => BitConverter.SingleToInt32Bits(f).ToString("x8"))));
    }

    /// <summary>Snapshots of every batch of <paramref name="epoch"/> from <paramref name="start"/>, each disposed after.</summary>
    public static List<string> Epoch(SparseBatchLoader loader, int epoch, int start = 0)
    {
        List<string> snapshots = [];
        foreach (SparseBatch batch in loader.Epoch(epoch, start))
        {
            using (batch)
                snapshots.Add(Snapshot(batch));
        }
        return snapshots;
    }
}
