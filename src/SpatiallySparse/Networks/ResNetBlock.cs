using SpatiallySparse.Layers;

namespace SpatiallySparse.Networks;

/// <summary>
/// A pre-activation ResNet block on the active sites: batch norm + ReLU + 3^d submanifold convolution, twice,
/// added to the input (identity shortcut) or, when the width changes, to a <see cref="NetworkInNetwork"/> of it.
/// </summary>
public static class ResNetBlock
{
    /// <summary>Creates the block from <paramref name="inputChannels"/> to <paramref name="outputChannels"/>; <paramref name="leakiness"/> is the activations' negative slope.</summary>
    public static Residual Create(int dimension, int inputChannels, int outputChannels, int seed, float leakiness = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputChannels);
        Random seeds = new(seed);
        Sequential<SparseTensor, SparseTensor> inner = new(
            new BatchNormalization(inputChannels),
            new LeakyRelu(leakiness),
            new SubmanifoldConvolution(dimension, inputChannels, outputChannels, 3, bias: false, seed: seeds.Next()),
            new BatchNormalization(outputChannels),
            new LeakyRelu(leakiness),
            new SubmanifoldConvolution(dimension, outputChannels, outputChannels, 3, bias: false, seed: seeds.Next()));
        SparseModule? shortcut = inputChannels == outputChannels ? null
            : new NetworkInNetwork(inputChannels, outputChannels, bias: false, seed: seeds.Next());
        return new Residual(inner, shortcut);
    }
}
