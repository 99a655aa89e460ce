using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Dense;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Dense;

/// <summary>
/// Central-difference checks of the dense layers' backward: L = sum_i R_i y_i over the flattened output of
/// convolution (valid and 'same'-padded), batch normalisation, leaky ReLU, max pooling and dropout, with respect
/// to the weights, the bias and the input.
/// </summary>
[TestFixture]
public sealed class DenseGradCheckTests
{
    private const double Step = 1e-3;
    private const double Tolerance = 1e-3;

    [TestCase(3, 1)]
    [TestCase(2, 2)]
    public void ConvolutionPoolingStackGradientsMatchFiniteDifferences(int filter, int threads)
    {
        CpuBackend backend = new(threads);
        DenseConvolution conv = new(2, 2, 3, filter, seed: 11);
        Initialization.Constant(conv.Bias!, 0.1f);
        Sequential net = new(conv, new DenseLeakyRelu(1f / 3), new DenseMaxPooling(2, 2, 2), new DenseDropout(0.4f, seed: 2), new DenseFlatten());
        net.Eval();
        SpatialSize size = SpatialSize.Cube(2, filter + 3);
        Random random = new(filter);
        float[] input = [.. Enumerable.Range(0, 2 * (int)size.Volume * 2).Select(_ => random.NextSingle() * 2 - 1)];
        float[] projection = [.. Enumerable.Range(0, 1000).Select(_ => random.NextSingle() * 2 - 1)];

        float[] inputGrad = RunBackward(net, backend, input, size, projection);
        foreach ((string name, Parameter p) in net.NamedParameters())
            CheckTensor(name, p.GetValues(), p.Grad.ToArray(), v => p.SetValues(v), () => Evaluate(net, backend, input, size, projection));
        CheckTensor("input", input, inputGrad, v => v.CopyTo(input, 0), () => Evaluate(net, backend, input, size, projection));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void PaddedConvolutionBatchNormStackGradientsMatchFiniteDifferences(bool training)
    {
        CpuBackend backend = new(1);
        // In training mode batch norm cancels a bias before it (its gradient is exactly zero), so only evaluation mode has one.
        DenseConvolution conv = new(2, 2, 3, 3, bias: !training, seed: 5, padding: 1);
        DenseBatchNormalization bn = new(3);
        bn.Weight.SetValues([1.2f, 0.7f, -0.9f]);
        bn.Bias.SetValues([0.1f, -0.3f, 0.2f]);
        Sequential net = new(conv, bn, new DenseLeakyRelu(1f / 3), new DenseMaxPooling(2, 3, 2), new DenseFlatten());
        net.Train(training);
        SpatialSize size = SpatialSize.Cube(2, 5);
        Random random = new(17);
        float[] input = [.. Enumerable.Range(0, 2 * (int)size.Volume * 2).Select(_ => random.NextSingle() * 2 - 1)];
        float[] projection = [.. Enumerable.Range(0, 1000).Select(_ => random.NextSingle() * 2 - 1)];

        float[] inputGrad = RunBackward(net, backend, input, size, projection);
        foreach ((string name, Parameter p) in net.NamedParameters())
            CheckTensor(name, p.GetValues(), p.Grad.ToArray(), v => p.SetValues(v), () => Evaluate(net, backend, input, size, projection));
        CheckTensor("input", input, inputGrad, v => v.CopyTo(input, 0), () => Evaluate(net, backend, input, size, projection));
    }

    private static float[] RunBackward(Sequential net, ISparseBackend backend, float[] input, SpatialSize size, float[] projection)
    {
        net.ZeroGrad();
        using Tape tape = new();
        DenseFeatureMap x = tape.Own(new DenseFeatureMap(Upload(backend, input, 2 * (int)size.Volume, 2), 2, size, requiresGradient: true));
        DenseTensor y = (DenseTensor)net.Forward(x, tape);
        float[] seed = projection.AsSpan(0, y.BatchSize * y.Width).ToArray();
        backend.Upload(seed, y.GradOrCreate());
        tape.Backward();
        return x.Grad!.ToArray();
    }

    private static double Evaluate(Sequential net, ISparseBackend backend, float[] input, SpatialSize size, float[] projection)
    {
        using Tape tape = new(recordGradients: false);
        DenseFeatureMap x = tape.Own(new DenseFeatureMap(Upload(backend, input, 2 * (int)size.Volume, 2), 2, size));
        float[] y = ((DenseTensor)net.Forward(x, tape)).ToArray();
        double sum = 0;
        for (int i = 0; i < y.Length; i++)
            sum += (double)y[i] * projection[i];
        return sum;
    }

    private static void CheckTensor(string name, float[] values, float[] analytic, Action<float[]> set, Func<double> loss)
    {
        double largest = 0;
        for (int i = 0; i < values.Length; i++)
        {
            float original = values[i];
            values[i] = (float)(original + Step);
            set(values);
            double plus = loss();
            values[i] = (float)(original - Step);
            set(values);
            double minus = loss();
            values[i] = original;
            set(values);
            double numeric = (plus - minus) / (2 * Step);
            largest = Math.Max(largest, Math.Abs(numeric));
            Assert.That(analytic[i], Is.EqualTo(numeric).Within(Tolerance * Math.Max(1, Math.Abs(numeric))), $"{name}[{i}]");
        }
        Assert.That(largest, Is.GreaterThan(1e-3), $"every derivative of {name} is zero: the check proves nothing");
    }

    private static FeatureMatrix Upload(ISparseBackend backend, float[] values, int rows, int columns)
    {
        FeatureMatrix m = backend.Allocate(rows, columns);
        backend.Upload(values, m);
        return m;
    }
}
