using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Tests.Support;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Validation;

/// <summary>
/// Every bad input is refused with an exception whose message names the problem and the offending value, so a
/// user can find the bad point or layer without a debugger.
/// </summary>
[TestFixture]
public sealed class BadInputTests
{
    private static readonly SpatialSize Grid4 = new(4, 4);

    [TestCase(4, 1, "(4, 1)")]
    [TestCase(1, -1, "(1, -1)")]
    public void CoordinateOutsideTheGrid(int x, int y, string named)
    {
        SparseInput input = OnePointPerSample(Grid4);
        input.Add(0, [x, y], 1f);
        Assert.That(() => Forward(input, Grid4),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains(named).And.Message.Contains("outside the spatial size 4x4"));
    }

    [Test]
    public void CoordinateWithTooManyDimensions()
    {
        SparseInput input = new(batchSize: 1, dimension: 2, channels: 1);
        Assert.That(() => input.Add(0, [1, 2, 3], 1f),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("Coordinate has 3 dimensions").And.Message.Contains("2-dimensional"));
    }

    [Test]
    public void PointsOfAnotherDimensionThanTheInputLayer()
    {
        SparseInput input = OnePointPerSample(Grid4);
        Assert.That(() => Forward(input, SpatialSize.Cube(3, 4)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("2-dimensional").And.Message.Contains("4x4x4"));
    }

    [Test]
    public void DuplicateSiteWithDuplicateModeError()
    {
        SparseInput input = OnePointPerSample(Grid4);
        input.Add(1, [2, 3], 5f);
        input.Add(1, [2, 3], 6f);
        Assert.That(() => Forward(input, Grid4, DuplicateMode.Error),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("sample 1").And.Message.Contains("(2, 3)"));
    }

    [Test]
    public void SameSiteInDifferentSamplesIsNoDuplicate()
    {
        SparseInput input = new(batchSize: 2, dimension: 2, channels: 1);
        input.Add(0, [2, 3], 5f);
        input.Add(1, [2, 3], 6f);
        using Tape tape = new();
        SparseTensor x = new InputLayer(Grid4, DuplicateMode.Error).Forward(input, CpuBackend.Shared, tape);
        Assert.That(x.GetFeatures(), Is.EqualTo(new[] { 5f, 6f }));
    }

    // The site (1, 2) of sample 0 gets [1, 10], [2, 20] and [4, 40] in that order, another point in between.
    [TestCase(DuplicateMode.Sum, 7f, 70f)]
    [TestCase(DuplicateMode.Mean, 7f / 3f, 70f / 3f)]
    [TestCase(DuplicateMode.First, 1f, 10f)]
    [TestCase(DuplicateMode.Last, 4f, 40f)]
    public void DuplicatesMerge(DuplicateMode mode, float first, float second)
    {
        SparseInput input = new(batchSize: 1, dimension: 2, channels: 2);
        input.Add(0, [1, 2], [1f, 10f]);
        input.Add(0, [3, 0], [5f, 50f]);
        input.Add(0, [1, 2], [2f, 20f]);
        input.Add(0, [1, 2], [4f, 40f]);
        using Tape tape = new();
        SparseTensor x = new InputLayer(Grid4, mode).Forward(input, CpuBackend.Shared, tape);
        float[] features = x.GetFeatures();
        int merged = x.Grid.RowOf(0, [1, 2]), other = x.Grid.RowOf(0, [3, 0]);
        Assert.That(x.ActiveCount, Is.EqualTo(2));
        Assert.That(features[(merged * 2)..(merged * 2 + 2)], Is.EqualTo(new[] { first, second }).Within(1e-6f));
        Assert.That(features[(other * 2)..(other * 2 + 2)], Is.EqualTo(new[] { 5f, 50f }));
    }

    [TestCase(2)]
    [TestCase(4)]
    public void FeatureCountMismatch(int features)
    {
        SparseInput input = new(batchSize: 1, dimension: 2, channels: 3);
        Assert.That(() => input.Add(0, [1, 1], new float[features]),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains($"Point has {features} features").And.Message.Contains("3 channels"));
    }

    [Test]
    public void FlatArraysOfMismatchedLengths()
    {
        Assert.That(() => SparseInput.FromArrays(1, 2, 1, [0, 0], [1, 1, 2], [1f, 2f]),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("2 points need 4 coordinates"));
    }

    [TestCase(float.NaN)]
    [TestCase(float.PositiveInfinity)]
    [TestCase(float.NegativeInfinity)]
    public void NonFiniteFeature(float bad)
    {
        SparseInput input = new(batchSize: 1, dimension: 2, channels: 2);
        input.Add(0, [0, 0], [1f, 2f]);
        input.Add(0, [2, 3], [3f, bad]);
        // The message formats the value as the runtime does (e.g. "NaN", "-∞"), so build the expectation alike.
        Assert.That(() => Forward(input, Grid4),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains($"non-finite feature {bad} in channel 1").And.Message.Contains("(2, 3)"));
    }

    [TestCase(2)]
    [TestCase(-1)]
    public void BatchIndexOutOfRange(int sample)
    {
        SparseInput input = new(batchSize: 2, dimension: 2, channels: 1);
        Assert.That(() => input.Add(sample, [0, 0], 1f),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains($"Batch index {sample}").And.Message.Contains("2 samples"));
    }

    [Test]
    public void EmptySample()
    {
        SparseInput input = new(batchSize: 3, dimension: 2, channels: 1);
        input.Add(0, [0, 0], 1f);
        input.Add(2, [1, 1], 1f);
        Assert.That(() => Forward(input, Grid4),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("Sample 1").And.Message.Contains("no active sites"));
    }

    [Test]
    public void FilterLargerThanTheInput()
    {
        Convolution conv = new(2, 1, 1, filterSize: 5, seed: 1);
        Assert.That(() => ForwardThrough(conv, Grid4),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("5x5").And.Message.Contains("larger than the input 4x4"));
    }

    [Test]
    public void PoolLargerThanTheInput()
    {
        Assert.That(() => ForwardThrough(new MaxPooling(2, 5, 1), Grid4),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("5x5").And.Message.Contains("larger than the input 4x4"));
    }

    [Test]
    public void StrideThatDoesNotTileTheInput()
    {
        // (6 - 3) is odd, so 3x3 windows with stride 2 leave the last row and column of a 6x6 grid uncovered.
        Convolution conv = new(2, 1, 1, filterSize: 3, stride: 2, seed: 2);
        Assert.That(() => ForwardThrough(conv, new SpatialSize(6, 6)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("does not tile input size 6x6").And.Message.Contains("not a multiple of 2"));
    }

    [Test]
    public void StrideThatDoesNotTileOneDimension()
    {
        Convolution conv = new(new SpatialSize(2, 3), new SpatialSize(2, 2), 1, 1, seed: 3);
        Assert.That(() => ForwardThrough(conv, new SpatialSize(6, 6)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("in dimension 1").And.Message.Contains("(6 - 3)"));
    }

    private static IEnumerable<TestCaseData> ThreeChannelLayers()
    {
        yield return new TestCaseData(new Convolution(2, 3, 4, 3, seed: 4)).SetArgDisplayNames("Convolution");
        yield return new TestCaseData(new SubmanifoldConvolution(2, 3, 4, 3, seed: 5)).SetArgDisplayNames("SubmanifoldConvolution");
        yield return new TestCaseData(new Deconvolution(2, 3, 4, 2, 2, seed: 6)).SetArgDisplayNames("Deconvolution");
        yield return new TestCaseData(new NetworkInNetwork(3, 4, seed: 7)).SetArgDisplayNames("NetworkInNetwork");
        yield return new TestCaseData(new BatchNormalization(3)).SetArgDisplayNames("BatchNormalization");
    }

    [TestCaseSource(nameof(ThreeChannelLayers))]
    public void ChannelMismatchBetweenLayers(SparseModule layer)
    {
        Assert.That(() => ForwardThrough(layer, new SpatialSize(6, 6), channels: 2),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("expects 3").And.Message.Contains("got 2"));
    }

    [Test]
    public void LayerOfAnotherDimension()
    {
        Convolution conv = new(3, 1, 1, 2, seed: 8);
        Assert.That(() => ForwardThrough(conv, Grid4),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("3-dimensional").And.Message.Contains("2-dimensional (4x4)"));
    }

    [TestCase(3)]
    [TestCase(7)]
    [TestCase(-1)]
    public void LabelOutsideTheClasses(int label)
    {
        using Tape tape = new();
        DenseTensor logits = DenseTensor.FromArray(CpuBackend.Shared, new float[6], 2, 3);
        Assert.That(() => SoftmaxCrossEntropy.Compute(logits, [0, label], tape),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains($"Label {label} of sample 1").And.Message.Contains("3 classes"));
    }

    [Test]
    public void LabelCountMismatch()
    {
        using Tape tape = new();
        DenseTensor logits = DenseTensor.FromArray(CpuBackend.Shared, new float[6], 2, 3);
        Assert.That(() => SoftmaxCrossEntropy.Compute(logits, [0], tape),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("1 labels for a batch of 2"));
    }

    [Test]
    public void LinearFedTheWrongWidth()
    {
        using Tape tape = new();
        Linear linear = new(8, 2, seed: 9);
        DenseTensor x = DenseTensor.FromArray(CpuBackend.Shared, new float[12], 2, 6);
        Assert.That(() => linear.Forward(x, tape),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("expects 8 input features, got 6"));
    }

    [Test]
    public void SparseModuleFedADenseTensor()
    {
        using Tape tape = new();
        Module conv = new Convolution(2, 1, 1, 3, seed: 10);
        DenseTensor x = DenseTensor.FromArray(CpuBackend.Shared, new float[2], 2, 1);
        Assert.That(() => conv.Forward(x, tape),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("needs a SparseTensor input, got DenseTensor"));
    }

    [Test]
    public void LinearFedASparseTensor()
    {
        Assert.That(() => ForwardThrough(new Linear(1, 1, seed: 11), Grid4),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("needs a DenseTensor input, got SparseTensor"));
    }

    [Test]
    public void SparseToDenseFedADenseTensor()
    {
        // The second stage gets the first one's dense output.
        Sequential net = new(new SparseToDense(), new SparseToDense());
        Assert.That(() => ForwardThrough(net, Grid4),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("SparseToDense needs a SparseTensor input, got DenseTensor"));
    }

    [Test]
    public void ParameterOnAnotherBackend()
    {
        using Tape tape = new();
        SparseTensor x = new InputLayer(Grid4).Forward(OnePointPerSample(Grid4), new CpuBackend(threads: 1), tape);
        Convolution conv = new(2, 1, 1, 3, seed: 12);
        Assert.That(() => conv.Forward(x, tape), Throws.Nothing, "every CPU backend can use every host matrix");
        conv.To(new ForeignBackend());
        Assert.That(() => conv.Forward(x, tape),
            Throws.InvalidOperationException.With.Message.Contains("module.To(backend)").And.Message.Contains("foreign"));
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(9)]
    public void LayerWithAnImpossibleDimension(int dimension)
    {
        Assert.That(() => new Convolution(dimension, 1, 1, 3),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains($"got {dimension}"));
    }

    [Test]
    public void TapeUsedAfterDispose()
    {
        Tape tape = new();
        tape.Dispose();
        Assert.That(() => new InputLayer(Grid4).Forward(OnePointPerSample(Grid4), CpuBackend.Shared, tape), Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(() => tape.Backward(), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void BackwardTwice()
    {
        using Tape tape = new();
        Convolution conv = new(2, 1, 1, 3, seed: 13);
        SparseTensor x = new InputLayer(Grid4).Forward(OnePointPerSample(Grid4), CpuBackend.Shared, tape);
        SparseTensor y = conv.Forward(x, tape);
        DenseTensor logits = new SparseToDense().Forward(y, tape);
        SoftmaxCrossEntropy.Compute(logits, [0, 3], tape);
        tape.Backward();
        Assert.That(() => tape.Backward(), Throws.InvalidOperationException.With.Message.Contains("already run"));
    }

    /// <summary>A two-sample batch with one point in each sample (so no sample is empty).</summary>
    private static SparseInput OnePointPerSample(SpatialSize size, int channels = 1)
    {
        SparseInput input = new(batchSize: 2, dimension: size.Dimension, channels);
        int[] origin = new int[size.Dimension];
        input.Add(0, origin, new float[channels]);
        input.Add(1, origin, new float[channels]);
        return input;
    }

    /// <summary>Runs the input layer on a throw-away tape (the tests only care whether it throws).</summary>
    private static void Forward(SparseInput input, SpatialSize size, DuplicateMode duplicates = DuplicateMode.Error)
    {
        using Tape tape = new();
        new InputLayer(size, duplicates).Forward(input, CpuBackend.Shared, tape);
    }

    private static void ForwardThrough(Module module, SpatialSize size, int channels = 1)
    {
        using Tape tape = new();
        module.Forward(new InputLayer(size).Forward(OnePointPerSample(size, channels), CpuBackend.Shared, tape), tape);
    }
}
