using System.Diagnostics.CodeAnalysis;
using ILGPU;
using ILGPU.Algorithms;

namespace SpatiallySparse.Ilgpu.Kernels;

/// <summary>Sparse-to-dense, softmax cross-entropy and the SGD step.</summary>
[ExcludeFromCodeCoverage(Justification = "Coverage instrumentation breaks ILGPU kernel compilation.")]
internal static class OutputKernels
{
    /// <summary>One thread per dense element: the sample's ground state of the element's channel.</summary>
    public static void FillGround(Index1D i, ArrayView<float> ground, ArrayView<float> dense, int channels, int volume)
    {
        int width = channels * volume;
        dense[i] = ground[(i / width) * channels + (i % width) / volume];
    }

    /// <summary>One thread per (active row, channel): writes the feature at its site.</summary>
    public static void ScatterActive(Index1D i, ArrayView<float> features, ArrayView<int> sampleOfRow, ArrayView<long> linear, ArrayView<float> dense, int channels, int volume)
    {
        int r = i / channels, c = i % channels;
        dense[sampleOfRow[r] * channels * volume + c * volume + (int)linear[r]] = features[i];
    }

    /// <summary>One thread per (active row, channel): gradFeatures += the gradient at the row's site.</summary>
    public static void GatherActive(Index1D i, ArrayView<float> gradDense, ArrayView<int> sampleOfRow, ArrayView<long> linear, ArrayView<float> gradFeatures, int channels, int volume)
    {
        int r = i / channels, c = i % channels;
        gradFeatures[i] += gradDense[sampleOfRow[r] * channels * volume + c * volume + (int)linear[r]];
    }

    /// <summary>One thread per (sample, channel): the gradient of every site, minus the active sites' share, in row order.</summary>
    public static void GroundGradient(Index1D i, ArrayView<float> gradDense, ArrayView<int> offsets, ArrayView<long> linear, ArrayView<float> gradGround, int channels, int volume)
    {
        int b = i / channels, c = i % channels;
        int start = b * channels * volume + c * volume;
        float sum = 0f;
        for (int s = 0; s < volume; s++)
            sum += gradDense[start + s];
        float g = gradGround[i] + sum;
        for (int r = offsets[b]; r < offsets[b + 1]; r++)
            g -= gradDense[start + (int)linear[r]];
        gradGround[i] = g;
    }

    /// <summary>One thread per sample: softmax probabilities and the sample's loss, in double like the CPU backend.</summary>
    public static void SoftmaxCrossEntropy(Index1D b, ArrayView<float> logits, ArrayView<int> labels, ArrayView<float> probabilities, ArrayView<double> losses, int classes)
    {
        int start = b * classes;
        float max = logits[start];
        for (int j = 1; j < classes; j++)
            max = IntrinsicMath.Max(max, logits[start + j]);
        double sum = 0;
        for (int j = 0; j < classes; j++)
            sum += XMath.Exp((double)(logits[start + j] - max));
        for (int j = 0; j < classes; j++)
            probabilities[start + j] = (float)(XMath.Exp((double)(logits[start + j] - max)) / sum);
        losses[b] = XMath.Log(sum) + max - logits[start + labels[b]];
    }

    public static void SoftmaxCrossEntropyBackward(Index1D i, ArrayView<float> probabilities, ArrayView<int> labels, ArrayView<float> gradLogits, int classes, float scale)
    {
        float g = probabilities[i] * scale + gradLogits[i];
        if (labels[i / classes] == i % classes)
            g -= scale;
        gradLogits[i] = g;
    }

    public static void SgdStep(Index1D i, ArrayView<float> value, ArrayView<float> grad, ArrayView<float> velocity, float learningRate, float momentum, float weightDecay, int nesterov)
    {
        float g = grad[i] + weightDecay * value[i];
        float v = momentum * velocity[i] + g;
        velocity[i] = v;
        value[i] -= learningRate * (nesterov != 0 ? g + momentum * v : v);
    }
}
