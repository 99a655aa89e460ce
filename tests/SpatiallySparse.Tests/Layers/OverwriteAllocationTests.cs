using System.Buffers;
using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Dense;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;

namespace SpatiallySparse.Tests.Layers;

/// <summary>
/// Layers allocate the outputs they overwrite without clearing them (<c>AllocateForOverwrite</c>). If one left
/// an element unwritten, whatever the pooled array held before would leak into the result: poison the pool
/// with different garbage before two identical steps and compare every bit.
/// </summary>
[TestFixture]
public sealed class OverwriteAllocationTests
{
    private static void PoisonPool(float value)
    {
        for (int size = 16; size <= 1 << 16; size *= 2)
        {
            float[][] arrays = [.. Enumerable.Range(0, 8).Select(_ => ArrayPool<float>.Shared.Rent(size))];
            foreach (float[] a in arrays)
            {
                Array.Fill(a, value);
                ArrayPool<float>.Shared.Return(a);
            }
        }
    }

    private static float[] Step(Sequential net, SparseInput points, float poison)
    {
        foreach (Module m in net.Children)
            if (m is Dropout d)
                d.Reseed(5);
        net.ZeroGrad();
        PoisonPool(poison);
        using Tape tape = new();
        SparseTensor x = new InputLayer(new SpatialSize(14, 14)).Forward(points, CpuBackend.Shared, tape);
        DenseTensor logits = (DenseTensor)net.Forward(x, tape);
        SoftmaxCrossEntropy.Compute(logits, [0, 2], tape);
        tape.Backward();
        return [.. logits.ToArray(), .. net.Parameters().SelectMany(p => p.Grad.ToArray())];
    }

    [Test]
    public void StaleContentsOfPooledArraysNeverReachAResult()
    {
        Sequential net = new(
            new Convolution(2, 1, 4, 3, seed: 1), new LeakyRelu(0.2f), new MaxPooling(2, 2, 2), new Dropout(0.3f, seed: 2),
            new Convolution(2, 4, 6, 2, seed: 3), new LeakyRelu(0.1f), new AveragePooling(2, 3, 2),
            new Convolution(2, 6, 5, 2, seed: 4), new SparseToDense(), new Linear(5, 3, seed: 5));
        SparseInput points = new(2, 2, 1);
        Random random = new(6);
        HashSet<(int, int, int)> seen = [];
        for (int i = 0; i < 60; i++)
        {
            int b = i % 2, r = random.Next(14), c = random.Next(14);
            if (seen.Add((b, r, c)))
                points.Add(b, [r, c], random.NextSingle());
        }
        float[] withNaN = Step(net, points, float.NaN), withSevens = Step(net, points, 7.5f);
        Assert.That(withNaN.All(float.IsFinite), Is.True, "no NaN from the poisoned pool");
        Assert.That(withSevens, Is.EqualTo(withNaN));
    }

    private static float[] DenseStep(Sequential net, SparseInput points, SpatialSize size, float poison)
    {
        foreach (Module m in net.Children)
            if (m is DenseDropout d)
                d.Reseed(5);
        net.ZeroGrad();
        PoisonPool(poison);
        using Tape tape = new();
        DenseFeatureMap x = tape.Own(DenseFeatureMap.FromSparseInput(points, size, CpuBackend.Shared));
        DenseTensor logits = (DenseTensor)net.Forward(x, tape);
        SoftmaxCrossEntropy.Compute(logits, [0, 2], tape);
        tape.Backward();
        return [.. logits.ToArray(), .. net.Parameters().SelectMany(p => p.Grad.ToArray())];
    }

    private static SparseInput RandomPoints(int side, int seed)
    {
        SparseInput points = new(2, 2, 1);
        Random random = new(seed);
        HashSet<(int, int, int)> seen = [];
        for (int i = 0; i < 40; i++)
        {
            int b = i % 2, r = random.Next(side), c = random.Next(side);
            if (seen.Add((b, r, c)))
                points.Add(b, [r, c], random.NextSingle());
        }
        return points;
    }

    [Test]
    public void TheDensePathNeverLeaksStaleContentsEither()
    {
        // DeepCNet's dense twin: valid im2col convolutions, max pooling, leaky ReLU, dropout, flatten, linear;
        // SparseVgg's: 'same'-padded convolutions and batch norm.
        DeepCNetOptions deep = new() { L = 2, K = 3, Classes = 3, Slope = 0.1f, DropoutRates = [0f, 0.3f, 0.3f, 0.3f], Seed = 1 };
        SparseVggOptions vgg = new() { Widths = [3, 4], FinalWidth = 5, FinalFilter = 3, Classes = 3, InputChannels = 1, Seed = 2 };
        foreach ((Sequential net, int side) in new[] { (DenseNetworks.DeepCNet(deep), DeepCNet.InputSide(deep.L)), (DenseNetworks.SparseVgg(vgg), SparseVgg.InputSide(vgg)) })
        {
            SparseInput points = RandomPoints(side, 6);
            SpatialSize size = SpatialSize.Cube(2, side);
            float[] withNaN = DenseStep(net, points, size, float.NaN), withSevens = DenseStep(net, points, size, 7.5f);
            Assert.That(withNaN.All(float.IsFinite), Is.True, "no NaN from the poisoned pool");
            Assert.That(withSevens, Is.EqualTo(withNaN));
        }
    }
}
