using SpatiallySparse.Layers;
using SpatiallySparse.Networks;

namespace SpatiallySparse.Dense;

/// <summary>
/// The paper's networks run densely: the baselines that sparse-vs-dense comparisons measure against. Parameter
/// names, shapes and, for the same seed, values equal those of <see cref="Networks.DeepCNet.Create"/> and
/// <see cref="Networks.SparseVgg.Create"/>, so checkpoints and weights copy across. They run on the CPU backend.
/// </summary>
public static partial class DenseNetworks
{
    /// <summary>
    /// DeepCNet run densely (<see cref="DenseConvolution"/> by im2col + GEMM, dense max pooling): its input is a
    /// <see cref="DenseFeatureMap"/> of side <see cref="Networks.DeepCNet.InputSide"/>. Dropout must be per channel,
    /// as in the sparse network.
    /// </summary>
    public static Sequential<DenseFeatureMap, DenseTensor> DeepCNet(DeepCNetOptions options) =>
        new(Networks.DeepCNet.Build(options, DeepCNetLayers));

    /// <summary>
    /// The dense baseline of the sparse VGG net: 'same'-padded 3x3 <see cref="DenseConvolution"/>s,
    /// <see cref="DenseBatchNormalization"/>, dense max pooling, flatten; on a fully active input both compute the
    /// same function.
    /// </summary>
    public static Sequential<DenseFeatureMap, DenseTensor> SparseVgg(SparseVggOptions options) =>
        new(Networks.SparseVgg.Build(options, VggLayers));

    private static readonly Networks.DeepCNet.LayerFactory DeepCNetLayers = new(
        (dim, cin, cout, f, seed) => new DenseConvolution(dim, cin, cout, f, seed: seed),
        slope => new DenseLeakyRelu(slope),
        (dim, width, seed) => new DenseConvolution(dim, width, width, 1, seed: seed),
        dim => new DenseMaxPooling(dim, 2, 2),
        (rate, scaling, seed) => new DenseDropout(rate, scaling, seed: seed),
        () => new DenseFlatten());

    private static readonly Networks.SparseVgg.LayerFactory VggLayers = new(
        (dim, cin, cout, seed) => new DenseConvolution(dim, cin, cout, 3, bias: false, seed: seed, padding: 1),
        (dim, cin, cout, f, seed) => new DenseConvolution(dim, cin, cout, f, bias: false, seed: seed),
        width => new DenseBatchNormalization(width),
        () => new DenseLeakyRelu(),
        dim => new DenseMaxPooling(dim, 3, 2),
        () => new DenseFlatten());
}
