using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Dense;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;

namespace SpatiallySparse.Tests.Dense;

/// <summary>
/// The dense baseline computes what the sparse network computes: same initial weights for the same seed,
/// same logits, same loss and same weight gradients on random digit-like inputs.
/// </summary>
[TestFixture]
public sealed class DenseDeepCNetTests
{
    [TestCase(2, 4, 0f, false, 1)]
    [TestCase(3, 3, 1f / 3, false, 2)]
    [TestCase(3, 4, 1f / 3, true, 2)]
    public void DenseNetworkMatchesSparseNetwork(int l, int k, float slope, bool dropout, int threads)
    {
        DeepCNetOptions options = new() { L = l, K = k, Slope = slope, Seed = 7 + l, DropoutRates = dropout ? DeepCNet.RampDropout(l, 0.5f) : null };
        Sequential sparse = DeepCNet.Create(options), dense = DenseNetworks.DeepCNet(options);
        AssertSameParameters(sparse, dense);
        CpuBackend backend = new(threads);
        SpatialSize size = SpatialSize.Cube(2, DeepCNet.InputSide(l));
        SparseInput batch = RandomDigits(size, batchSize: 3, new Random(l * 31 + k));
        int[] labels = [1, 0, 2];

        using Tape sparseTape = new(), denseTape = new();
        DenseTensor sparseLogits = (DenseTensor)sparse.Forward(new InputLayer(size).Forward(batch, backend, sparseTape), sparseTape);
        DenseTensor denseLogits = (DenseTensor)dense.Forward(DenseFeatureMap.FromSparseInput(batch, size, backend), denseTape);
        Assert.That(denseLogits.ToArray(), Is.EqualTo(sparseLogits.ToArray()).Within(1e-4f), "logits");
        LossResult sparseLoss = SoftmaxCrossEntropy.Compute(sparseLogits, labels, sparseTape);
        LossResult denseLoss = SoftmaxCrossEntropy.Compute(denseLogits, labels, denseTape);
        Assert.That(denseLoss.Value, Is.EqualTo(sparseLoss.Value).Within(1e-5f), "loss");
        sparseTape.Backward();
        denseTape.Backward();
        foreach (((string name, Parameter s), (_, Parameter d)) in sparse.NamedParameters().Zip(dense.NamedParameters()))
            Assert.That(d.Grad.ToArray(), Is.EqualTo(s.Grad.ToArray()).Within(1e-4f), $"gradient of {name}");
    }

    [TestCase(DropoutScaling.ScaleAtTest)]
    [TestCase(DropoutScaling.ScaleInTraining)]
    public void EvaluationModeScalesLikeTheSparseDropout(DropoutScaling scaling)
    {
        DeepCNetOptions options = new() { L = 2, K = 3, Seed = 3, DropoutRates = [0f, 0.5f, 0.5f, 0.5f], DropoutScaling = scaling };
        Sequential sparse = DeepCNet.Create(options), dense = DenseNetworks.DeepCNet(options);
        sparse.Eval();
        dense.Eval();
        SpatialSize size = SpatialSize.Cube(2, 12);
        SparseInput batch = RandomDigits(size, 2, new Random(5));
        using Tape tape = new(recordGradients: false);
        float[] s = ((DenseTensor)sparse.Forward(new InputLayer(size).Forward(batch, CpuBackend.Shared, tape), tape)).ToArray();
        float[] d = ((DenseTensor)dense.Forward(DenseFeatureMap.FromSparseInput(batch, size, CpuBackend.Shared), tape)).ToArray();
        Assert.That(d, Is.EqualTo(s).Within(1e-4f));
        Assert.That(sparse.Children.OfType<Dropout>().Select(m => m.Scaling), Has.Exactly(3).EqualTo(scaling));
        Assert.That(dense.Children.OfType<DenseDropout>().Select(m => m.Scaling), Has.Exactly(3).EqualTo(scaling));
    }

    /// <summary>Same parameter names in the same order, with the same initial values.</summary>
    internal static void AssertSameParameters(Sequential sparse, Sequential dense)
    {
        (string Name, Parameter P)[] s = [.. sparse.NamedParameters()], d = [.. dense.NamedParameters()];
        Assert.That(d.Select(p => p.Name), Is.EqualTo(s.Select(p => p.Name)), "parameter names");
        for (int i = 0; i < s.Length; i++)
            Assert.That(d[i].P.GetValues(), Is.EqualTo(s[i].P.GetValues()), $"initial values of {s[i].Name}");
    }

    /// <summary>A blob of "ink" in the middle of the grid, like a small digit, with values in (0, 1].</summary>
    internal static SparseInput RandomDigits(SpatialSize size, int batchSize, Random random)
    {
        SparseInput input = new(batchSize, 2, 1);
        int side = size[0], lo = side / 4, hi = side - side / 4;
        for (int b = 0; b < batchSize; b++)
            for (int y = lo; y < hi; y++)
                for (int x = lo; x < hi; x++)
                    if (random.NextDouble() < 0.3 || (y == side / 2 && x == side / 2))
                        input.Add(b, [y, x], 0.05f + 0.95f * random.NextSingle());
        return input;
    }
}
