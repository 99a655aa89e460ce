using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Equivalence;

/// <summary>
/// The paper's claim made checkable: a DeepCNet-shaped stack (valid convolutions, 2x2 max pooling, leaky ReLU,
/// non-zero biases so every ground state after the first layer is non-zero) run sparsely equals the same
/// weights run densely on the zero-background grid, at every site of every layer, forward and backward.
/// </summary>
[TestFixture]
public sealed class DeepCNetEquivalenceTests
{
    private const float Slope = 1f / 3;

    private sealed record Stage(Convolution Conv, int Filter, bool Pool);

    [TestCase(2, 12, 0.05, 1)]
    [TestCase(2, 12, 0.4, 2)]
    [TestCase(3, 6, 0.03, 2)]
    public void SparseStackEqualsDenseReference(int dimension, int n, double density, int threads)
    {
        CpuBackend backend = new(threads);
        Random random = new(17 + dimension);
        Stage[] stages = BuildStages(dimension, random);
        SpatialSize size = SpatialSize.Cube(dimension, n);
        (SparseInput input, double[][][] dense) = RandomInput(size, batch: 3, channels: 2, density, random);

        using Tape tape = new();
        SparseTensor x = new InputLayer(size).Forward(input, backend, tape);
        double[][][] d = dense;
        SpatialSize dSize = size;
        List<(double[][][] In, SpatialSize InSize, double[][][] Pre, SpatialSize PreSize, double[][][] Act, double[][][] Out)> saved = [];
        foreach (Stage stage in stages)
        {
            SparseTensor pre = stage.Conv.Forward(x, tape);
            double[][][] dPre = DenseReference.Convolution(d, dSize, stage.Conv.Weight.GetValues(), stage.Conv.Bias!.GetValues(),
                stage.Conv.OutputChannels, stage.Filter, 1, out SpatialSize preSize);
            AssertSameField(pre, dPre, $"conv {stage.Filter}");
            SparseTensor act = new LeakyRelu(Slope).Forward(pre, tape);
            double[][][] dAct = DenseReference.LeakyRelu(dPre, Slope);
            AssertSameField(act, dAct, "leaky ReLU");
            double[][][] dOut = dAct;
            SpatialSize outSize = preSize;
            x = act;
            if (stage.Pool)
            {
                x = new MaxPooling(dimension, 2, 2).Forward(act, tape);
                dOut = DenseReference.MaxPool(dAct, preSize, 2, 2, out outSize);
                AssertSameField(x, dOut, "max pooling");
            }
            saved.Add((d, dSize, dPre, preSize, dAct, dOut));
            d = dOut;
            dSize = outSize;
        }
        Assert.That(x.SpatialSize.Volume, Is.EqualTo(1), "the stack must end on a 1-site grid like DeepCNet");

        // Backward from a random linear functional of the final output.
        double[][][] seed = RandomField(3, x.Channels, 1, random);
        DenseTensor flat = new SparseToDense().Forward(x, tape);
        backend.Upload(Flatten(seed), flat.GradOrCreate());
        tape.Backward();

        double[][][] g = seed;
        for (int s = stages.Length - 1; s >= 0; s--)
        {
            (double[][][] dIn, SpatialSize inSize, double[][][] dPre, SpatialSize preSize, double[][][] dAct, double[][][] dOut) = saved[s];
            Stage stage = stages[s];
            if (stage.Pool)
                g = DenseReference.MaxPoolBackward(dAct, preSize, dOut, g, DenseReference.OutputSize(preSize, 2, 2), 2, 2);
            g = DenseReference.LeakyReluBackward(dPre, g, Slope);
            double[] dW = new double[stage.Conv.Weight.Rows * stage.Conv.Weight.Columns];
            double[] dB = new double[stage.Conv.OutputChannels];
            g = DenseReference.ConvolutionBackward(dIn, inSize, stage.Conv.Weight.GetValues(), g, preSize, stage.Filter, 1, dW, dB);
            AssertClose(stage.Conv.Weight.Grad.ToArray(), dW, $"stage {s} weight gradient");
            AssertClose(stage.Conv.Bias!.Grad.ToArray(), dB, $"stage {s} bias gradient");
        }
        AssertInputGradient(input, size, g);
    }

    [TestCase(2, 12, 0.1)]
    [TestCase(3, 6, 0.05)]
    public void FusedFirstBlockEqualsDenseReference(int dimension, int n, double density)
    {
        // Inside a Sequential, a first block on an input that needs no gradient runs as one fused op.
        CpuBackend backend = new(2);
        Random random = new(29 + dimension);
        Convolution conv = new(dimension, 2, 5, 3, seed: random.Next());
        conv.Bias!.SetValues(Enumerable.Range(0, 5).Select(_ => (float)(random.NextDouble() - 0.3)).ToArray());
        Sequential block = new(conv, new LeakyRelu(Slope), new MaxPooling(dimension, 2, 2));
        Assert.That(block.ModulesInStep(0), Is.EqualTo(3), "fused");
        SpatialSize size = SpatialSize.Cube(dimension, n);
        (SparseInput input, double[][][] dense) = RandomInput(size, batch: 3, channels: 2, density, random);
        input.RequiresGradient = false;

        using Tape tape = new();
        SparseTensor y = (SparseTensor)block.Forward(new InputLayer(size).Forward(input, backend, tape), tape);
        double[][][] dPre = DenseReference.Convolution(dense, size, conv.Weight.GetValues(), conv.Bias.GetValues(), 5, 3, 1, out SpatialSize preSize);
        double[][][] dAct = DenseReference.LeakyRelu(dPre, Slope);
        double[][][] dOut = DenseReference.MaxPool(dAct, preSize, 2, 2, out SpatialSize outSize);
        AssertSameField(y, dOut, "fused convolution, leaky ReLU and max pooling");

        double[][][] seed = RandomField(3, 5, outSize.Volume, random);
        DenseTensor flat = new SparseToDense().Forward(y, tape);
        backend.Upload(Flatten(seed), flat.GradOrCreate());
        tape.Backward();
        double[][][] g = DenseReference.LeakyReluBackward(dPre, DenseReference.MaxPoolBackward(dAct, preSize, dOut, seed, outSize, 2, 2), Slope);
        double[] dW = new double[conv.Weight.Rows * conv.Weight.Columns], dB = new double[5];
        DenseReference.ConvolutionBackward(dense, size, conv.Weight.GetValues(), g, preSize, 3, 1, dW, dB);
        AssertClose(conv.Weight.Grad.ToArray(), dW, "weight gradient");
        AssertClose(conv.Bias.Grad.ToArray(), dB, "bias gradient");
    }

    private static Stage[] BuildStages(int dimension, Random random)
    {
        // DeepCNet(l, k) shape: a 3-wide first filter then 2-wide ones, pooling between, widths growing with depth.
        int[] widths = dimension == 2 ? [4, 8, 12] : [3, 5];
        List<Stage> stages = [];
        int cin = 2;
        for (int i = 0; i < widths.Length; i++)
        {
            int f = i == 0 ? 3 : 2;
            Convolution conv = new(dimension, cin, widths[i], f, seed: random.Next());
            conv.Bias!.SetValues(Enumerable.Range(0, widths[i]).Select(_ => (float)(random.NextDouble() - 0.3)).ToArray());
            stages.Add(new Stage(conv, f, Pool: i < widths.Length - 1));
            cin = widths[i];
        }
        return [.. stages];
    }

    private static (SparseInput Input, double[][][] Dense) RandomInput(SpatialSize size, int batch, int channels, double density, Random random)
    {
        SparseInput input = new(batch, size.Dimension, channels) { RequiresGradient = true };
        double[][][] dense = DenseReference.New(batch, channels, size.Volume);
        int[] c = new int[size.Dimension];
        float[] f = new float[channels];
        for (int b = 0; b < batch; b++)
            for (long site = 0; site < size.Volume; site++)
            {
                // Every sample gets at least its first site so none is empty.
                if (site != b && random.NextDouble() >= density)
                    continue;
                size.Coordinate(site, c);
                for (int ch = 0; ch < channels; ch++)
                {
                    f[ch] = (float)(random.NextDouble() * 2 - 1);
                    dense[b][ch][site] = f[ch];
                }
                input.Add(b, c, f);
            }
        return (input, dense);
    }

    /// <summary>Every site: active sites must hold the dense value, inactive ones the ground state.</summary>
    private static void AssertSameField(SparseTensor sparse, double[][][] dense, string what)
    {
        float[] features = sparse.GetFeatures(), ground = sparse.GetGround();
        int ch = sparse.Channels;
        Assert.That(dense[0].Length, Is.EqualTo(ch), what);
        int checkedGround = 0;
        for (int b = 0; b < dense.Length; b++)
            for (long site = 0; site < sparse.SpatialSize.Volume; site++)
            {
                int row = sparse.Grid.RowOf(b, site);
                checkedGround += row < 0 ? 1 : 0;
                for (int c = 0; c < ch; c++)
                {
                    double actual = row >= 0 ? features[row * ch + c] : ground[b * ch + c];
                    double expected = dense[b][c][site];
                    if (Math.Abs(actual - expected) > 1e-4 * Math.Max(1, Math.Abs(expected)))
                        Assert.Fail($"{what}: sample {b} site {site} channel {c} ({(row >= 0 ? "active" : "ground")}): sparse {actual}, dense {expected}");
                }
            }
        Assert.That(sparse.ActiveCount, Is.LessThanOrEqualTo(dense.Length * sparse.SpatialSize.Volume));
        TestContext.Out.WriteLine($"{what}: {sparse.ActiveCount} active, {checkedGround} ground sites checked");
    }

    private static void AssertClose(float[] actual, double[] expected, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        double scale = Math.Max(1, expected.Max(Math.Abs));
        for (int i = 0; i < actual.Length; i++)
            if (Math.Abs(actual[i] - expected[i]) > 2e-4 * scale)
                Assert.Fail($"{what}[{i}]: sparse {actual[i]}, dense {expected[i]}");
    }

    private static void AssertInputGradient(SparseInput input, SpatialSize size, double[][][] dx)
    {
        float[] grad = input.FeatureGradient ?? throw new AssertionException("no input gradient");
        int ch = input.Channels;
        double[] expected = new double[grad.Length];
        for (int i = 0; i < input.PointCount; i++)
        {
            long site = size.LinearIndex(input.Coordinates.Slice(i * size.Dimension, size.Dimension));
            for (int c = 0; c < ch; c++)
                expected[i * ch + c] = dx[input.Samples[i]][c][site];
        }
        AssertClose(grad, expected, "input gradient");
    }

    private static double[][][] RandomField(int batch, int channels, long volume, Random random)
    {
        double[][][] a = DenseReference.New(batch, channels, volume);
        foreach (double[][] s in a)
            foreach (double[] c in s)
                for (int i = 0; i < c.Length; i++)
                    c[i] = random.NextDouble() * 2 - 1;
        return a;
    }

    private static float[] Flatten(double[][][] a) =>
        a.SelectMany(s => s.SelectMany(c => c)).Select(v => (float)v).ToArray();
}
