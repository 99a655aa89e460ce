using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Autograd;

/// <summary>
/// Gradient checks of every layer and of the loss. Parameters are randomised (biases and batch-norm shifts
/// included) so ground states are non-zero wherever a layer can make them so. Cases marked inputGround feed the
/// layer a random ground state that differs between the samples and check its gradient as well; the input
/// layer's own ground state is zero and identical for all samples, which would hide a gradient sent to the
/// wrong sample or dropped on the way to the ground state. Leaky slopes are positive, and at these fixed seeds
/// no perturbation crosses a leaky-ReLU or max-pooling kink.
/// </summary>
[TestFixture]
public sealed class GradCheckTests
{
    private const float VeryLeaky = 1f / 3f;

    [TestCase(false)]
    [TestCase(true)]
    public void ValidConvolution3x3(bool inputGround)
    {
        Convolution conv = new(2, inputChannels: 2, outputChannels: 3, filterSize: 3, seed: 1);
        CheckModule(Points(6), conv, inputGround);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void StridedConvolution2x2(bool inputGround)
    {
        Convolution conv = new(2, inputChannels: 2, outputChannels: 3, filterSize: 2, stride: 2, seed: 2);
        CheckModule(Points(6), conv, inputGround);
    }

    [Test]
    public void ConvolutionWithAnisotropicFilterAndStride()
    {
        // 3x2 filter, stride 1x2, on 6x6: tap offsets and output coordinates differ per dimension.
        Convolution conv = new(new SpatialSize(3, 2), new SpatialSize(1, 2), inputChannels: 2, outputChannels: 2, seed: 3);
        CheckModule(Points(6), conv, inputGround: true);
    }

    [Test]
    public void ConvolutionStackPropagatesThroughNonZeroGroundState()
    {
        // The second convolution's input ground state is LeakyRelu(bias) != 0, so its exact-ground path (centred
        // inputs, summed taps) and the ground gradient flowing back into the first convolution are both exercised.
        Sequential net = new(
            new Convolution(2, 2, 3, 3, seed: 4),
            new LeakyRelu(VeryLeaky),
            new Convolution(2, 3, 2, 3, seed: 5));
        CheckStack(Points(7, perSample: 4), net);
    }

    [Test]
    public void StridedConvolutionAfterNonZeroGroundState()
    {
        Sequential net = new(
            new Convolution(2, 2, 3, 3, seed: 6),
            new LeakyRelu(VeryLeaky),
            new Convolution(2, 3, 2, filterSize: 2, stride: 2, seed: 7));
        CheckStack(Points(8, perSample: 5), net);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void SubmanifoldConvolution(bool inputGround)
    {
        SubmanifoldConvolution conv = new(2, inputChannels: 2, outputChannels: 3, filterSize: 3, seed: 8);
        CheckModule(Points(6, perSample: 8), conv, inputGround);
    }

    [Test]
    public void DeconvolutionOntoReachedSites()
    {
        Deconvolution deconv = new(2, inputChannels: 2, outputChannels: 3, filterSize: 2, stride: 2, seed: 9);
        CheckModule(Points(3, perSample: 3), deconv);
    }

    [Test]
    public void DeconvolutionIgnoresInputGroundState()
    {
        // Inactive inputs contribute nothing to a deconvolution, so its input ground state has zero gradient.
        Deconvolution deconv = new(2, inputChannels: 2, outputChannels: 3, filterSize: 3, stride: 2, seed: 10);
        GradCheckOptions options = new() { InputGround = true, ExpectedZero = new HashSet<string> { GradCheckResult.GroundName } };
        CheckModule(Points(3, perSample: 3), deconv, options: options);
    }

    [Test]
    public void DeconvolutionOntoEncoderGrid()
    {
        // The 6x6 input grid already exists in the metadata, so the deconvolution reuses its active set.
        Sequential net = new(
            new Convolution(2, 2, 3, filterSize: 2, stride: 2, seed: 11),
            new LeakyRelu(VeryLeaky),
            new Deconvolution(2, 3, 2, filterSize: 2, stride: 2, seed: 12));
        CheckModule(Points(6, perSample: 6), net);
    }

    [TestCase(3, 1, true)]
    [TestCase(2, 2, true)]
    [TestCase(3, 1, false)]
    public void MaxPooling(int poolSize, int stride, bool includeGround)
    {
        MaxPooling pool = new(2, poolSize, stride, includeGround);
        CheckModule(Points(6, perSample: 6), pool, inputGround: true);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void AveragePooling(bool includeGround)
    {
        AveragePooling pool = new(2, 3, 1, includeGround);
        CheckModule(Points(6, perSample: 6), pool, inputGround: true);
    }

    [Test]
    public void PoolingAfterLayerWithBias()
    {
        // The network-in-network's bias reaches the pooling as a ground state and gets its gradient back from it.
        Sequential net = new(new NetworkInNetwork(2, 3, seed: 13), new MaxPooling(2, 2, 2), new AveragePooling(2, 3, 1));
        CheckModule(Points(8, perSample: 6), net);
    }

    [Test]
    public void LeakyRelu()
    {
        // The random input ground state has both signs, so both slopes reach the ground gradient.
        CheckModule(Points(5, perSample: 6), new LeakyRelu(0.2f), inputGround: true);
    }

    [TestCase(DropoutMode.PerChannel, DropoutScaling.ScaleAtTest)]
    [TestCase(DropoutMode.PerChannel, DropoutScaling.ScaleInTraining)]
    [TestCase(DropoutMode.PerElement, DropoutScaling.ScaleAtTest)]
    [TestCase(DropoutMode.PerElement, DropoutScaling.ScaleInTraining)]
    public void DropoutInTraining(DropoutMode mode, DropoutScaling scaling)
    {
        // The mask is drawn per forward pass, so every pass gets a new layer with the same seed: the same mask.
        PointBatch points = new(new SpatialSize(5, 5), batchSize: 2, channels: 4, pointsPerSample: 6, seed: 14);
        Func<SparseTensor, Tape, Tensor> network = (x, tape) => new Dropout(0.5f, mode, scaling, seed: 15).Forward(x, tape);
        AssertSomethingDropped(points, network);
        GradCheck.AssertGradients(points, network, [], new GradCheckOptions { InputGround = true });
    }

    [TestCase(DropoutScaling.ScaleAtTest)]
    [TestCase(DropoutScaling.ScaleInTraining)]
    public void DropoutInEvaluation(DropoutScaling scaling)
    {
        Dropout dropout = new(0.5f, DropoutMode.PerElement, scaling, seed: 16);
        dropout.Eval();
        CheckModule(Points(5, perSample: 6), dropout, inputGround: true);
    }

    [Test]
    public void BatchNormalizationAfterConvolutionWithBias()
    {
        // The convolution's bias makes the batch norm's input ground state non-zero. In training the bias shifts
        // the active sites and the ground state alike and the batch mean removes it, so its gradient is exactly
        // zero: that cancellation only happens if the ground state's share of the mean and variance gradients is right.
        Sequential net = new(new Convolution(2, 2, 3, 3, seed: 17), new BatchNormalization(3));
        GradCheckOptions options = new() { ExpectedZero = new HashSet<string> { "0.bias" } };
        CheckModule(Points(7, perSample: 5), net, options: options);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void BatchNormalization(bool training)
    {
        BatchNormalization bn = new(2, momentum: 0.5f);
        PointBatch points = Points(5, perSample: 6);
        GradCheck.Randomize(bn, seed: 18);
        WarmUpRunningStatistics(points, bn);
        bn.Train(training);
        CheckModule(points, bn, randomize: false, options: new GradCheckOptions { InputGround = true });
    }

    [TestCase(false)]
    [TestCase(true)]
    public void NetworkInNetwork(bool inputGround)
    {
        CheckModule(Points(5, perSample: 6), new NetworkInNetwork(2, 3, seed: 19), inputGround);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void SparseToDense(bool inputGround)
    {
        Sequential net = new(new Convolution(2, 2, 2, 3, seed: 20), new SparseToDense());
        CheckModule(Points(5, perSample: 4), net, inputGround);
    }

    [Test]
    public void GlobalAveragePooling()
    {
        Sequential net = new(new NetworkInNetwork(2, 3, seed: 21), new GlobalAveragePooling());
        CheckModule(Points(5, perSample: 6), net);
    }

    [Test]
    public void Linear()
    {
        Sequential net = new(new NetworkInNetwork(2, 3, seed: 22), new SparseToDense(), new Linear(3 * 16, 4, seed: 23));
        CheckModule(Points(4, perSample: 5), net);
    }

    [Test]
    public void SoftmaxCrossEntropyLoss()
    {
        Sequential net = new(
            new Convolution(2, 2, 3, 3, seed: 24),
            new LeakyRelu(VeryLeaky),
            new SparseToDense(),
            new Linear(3 * 9, 3, seed: 25));
        GradCheck.Randomize(net, seed: 26);
        int[] labels = [2, 0];
        GradCheckResult result = GradCheck.RunLoss(Points(5, perSample: 4),
            (x, tape) => SoftmaxCrossEntropy.Compute((DenseTensor)net.Forward(x, tape), labels, tape), net.NamedParameters());
        GradCheck.AssertAgrees(result);
    }

    [Test]
    public void SubmanifoldConvolution3D()
    {
        SubmanifoldConvolution conv = new(3, inputChannels: 2, outputChannels: 2, filterSize: 3, seed: 27);
        CheckModule(Points3D(4, perSample: 10), conv, inputGround: true);
    }

    [Test]
    public void ValidConvolution3D()
    {
        Convolution conv = new(3, inputChannels: 2, outputChannels: 2, filterSize: 2, seed: 28);
        CheckModule(Points3D(4, perSample: 5), conv, inputGround: true);
    }

    [Test]
    public void ValidConvolutionStack3D()
    {
        Sequential net = new(
            new Convolution(3, 2, 3, 2, seed: 29),
            new LeakyRelu(VeryLeaky),
            new Convolution(3, 3, 2, 2, seed: 30));
        CheckStack(Points3D(4, perSample: 5), net);
    }

    [TestCase(DuplicateMode.Sum)]
    [TestCase(DuplicateMode.Mean)]
    [TestCase(DuplicateMode.First)]
    [TestCase(DuplicateMode.Last)]
    public void InputGradientOfMergedDuplicates(DuplicateMode duplicates)
    {
        // Each merged point's gradient is its share of the site's: all of it (Sum), 1/count (Mean), or all-or-nothing.
        PointBatch points = new(new SpatialSize(5, 5), batchSize: 2, channels: 2, pointsPerSample: 4, seed: 31, duplicates);
        Random random = new(32);
        points.AddPoint(0, [2, 2], random);
        points.AddPoint(1, [2, 2], random);
        points.AddPoint(1, [2, 2], random);
        CheckModule(points, new Convolution(2, 2, 3, 3, seed: 33));
    }

    private static PointBatch Points(int extent, int perSample = 6) =>
        new(new SpatialSize(extent, extent), batchSize: 2, channels: 2, perSample, seed: 100 + extent);

    private static PointBatch Points3D(int extent, int perSample) =>
        new(SpatialSize.Cube(3, extent), batchSize: 2, channels: 2, perSample, seed: 200 + extent);

    private static void CheckModule(PointBatch points, Module module, bool inputGround) =>
        CheckModule(points, module, options: new GradCheckOptions { InputGround = inputGround });

    private static void CheckModule(PointBatch points, Module module, bool randomize = true, GradCheckOptions? options = null)
    {
        if (randomize)
            GradCheck.Randomize(module, seed: 7);
        GradCheck.AssertGradients(points, (x, tape) => module.Forward(x, tape), module.NamedParameters(), options);
    }

    /// <summary>Checks a conv, activation, conv stack after making sure its hidden ground state is really non-zero.</summary>
    private static void CheckStack(PointBatch points, Sequential net)
    {
        GradCheck.Randomize(net, seed: 34);
        using (Tape tape = new(recordGradients: false))
        {
            SparseTensor hidden = (SparseTensor)net.Children[1].Forward(net.Children[0].Forward(Forward(points, tape), tape), tape);
            Assert.That(hidden.GetGround().Max(MathF.Abs), Is.GreaterThan(0.05f), "the hidden ground state should be clearly non-zero");
        }
        CheckModule(points, net, randomize: false);
    }

    private static void AssertSomethingDropped(PointBatch points, Func<SparseTensor, Tape, Tensor> network)
    {
        using Tape tape = new(recordGradients: false);
        Assert.That(((SparseTensor)network(Forward(points, tape), tape)).GetFeatures(), Has.Some.EqualTo(0f), "the mask should drop some units");
    }

    private static void WarmUpRunningStatistics(PointBatch points, Module net)
    {
        for (int i = 0; i < 3; i++)
        {
            using Tape tape = new(recordGradients: false);
            net.Forward(Forward(points, tape), tape);
        }
    }

    private static SparseTensor Forward(PointBatch points, Tape tape) =>
        points.InputLayer().Forward(points.ToInput(points.Features), CpuBackend.Shared, tape);
}
