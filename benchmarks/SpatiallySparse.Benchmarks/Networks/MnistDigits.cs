using MnistDeepCNet;
using SpatiallySparse.Layers;
using SpatiallySparse.Samples.Common;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// The first images of MNIST's training set as DeepCNet batches, read and rasterised by the MNIST sample's own
/// code (as in <c>benchmarks/peers/torch_cpu_step.py</c>): the 28 x 28 digit centred in the grid, a pixel active
/// when value / 255 &gt; threshold, feature value / 255, no augmentation.
/// </summary>
public sealed class MnistDigits
{
    private MnistDigits(MnistSplit train) => Train = train;

    /// <summary>The training images and labels.</summary>
    public MnistSplit Train { get; }

    /// <summary>Active-pixel threshold on value / 255 (Graham 2014).</summary>
    public const float Threshold = 0.02f;

    /// <summary>Reads the training images and labels from <paramref name="folder"/> (see <see cref="Locate"/>); no checksums.</summary>
    public static MnistDigits Load(string folder) => new(MnistData.LoadSplit(folder, training: true, verify: false));

    /// <summary>The MNIST folder, found as the sample finds it (see <see cref="DataFolder.Locate"/>).</summary>
    public static string Locate() => new DataFolder().Locate(MnistData.Spec, null).Path;

    /// <summary>Batch <paramref name="index"/> (images index·batch ..) on a <paramref name="gridSide"/>² grid, with labels.</summary>
    public (SparseInput Input, int[] Labels) Batch(int index, int batch, int gridSide)
    {
        DigitRasterizer rasterizer = new(gridSide, Threshold);
        SparseInput input = new(batch, 2, 1);
        int[] labels = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            int image = index * batch + b;
            labels[b] = Train.Labels[image];
            rasterizer.Add(Train.Images.Image(image), input, b, random: null);
        }
        return (input, labels);
    }
}
