using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Layers;

/// <summary>
/// A tensor read by two convolutions gets the sum of both gradients, on its features and its ground state: the
/// first convolution's backward writes into a fresh gradient directly, the second must add to it.
/// </summary>
[TestFixture]
public sealed class SharedInputGradientTests
{
    [Test]
    public void GradientsOfTwoReadersAdd([Values(1, 2)] int threads)
    {
        (float[] a, float[] aGround) = Gradients(threads, useA: true, useB: false);
        (float[] b, float[] bGround) = Gradients(threads, useA: false, useB: true);
        (float[] both, float[] bothGround) = Gradients(threads, useA: true, useB: true);
        Assert.That(bGround.Any(v => v != 0) && aGround.Any(v => v != 0), Is.True, "the ground state has a gradient to add");
        Assert.That(both, Is.EqualTo(a.Zip(b, (u, v) => u + v).ToArray()).Within(1e-6f), "features");
        Assert.That(bothGround, Is.EqualTo(aGround.Zip(bGround, (u, v) => u + v).ToArray()).Within(1e-6f), "ground state");
    }

    private static (float[] Features, float[] Ground) Gradients(int threads, bool useA, bool useB)
    {
        CpuBackend backend = new(threads);
        Convolution first = new(2, 2, 6, 3, seed: 1), a = new(2, 6, 5, 3, seed: 2), b = new(2, 6, 5, 2, 2, seed: 3);
        foreach (Convolution conv in (Convolution[])[first, a, b])
            conv.To(backend);
        first.Bias!.SetValues([0.3f, -0.2f, 0.1f, 0.5f, -0.4f, 0.2f]);
        SparseInput points = new(2, 2, 2);
        Random random = new(6);
        for (int i = 0; i < 30; i++)
            points.Add(i % 2, [random.Next(12), random.Next(12)], [random.NextSingle(), random.NextSingle() - 0.5f]);
        using Tape tape = new();
        SparseTensor x = first.Forward(new InputLayer(new SpatialSize(12, 12), DuplicateMode.Sum).Forward(points, backend, tape), tape);
        if (useA)
            SoftmaxCrossEntropy.Compute(new GlobalAveragePooling().Forward(a.Forward(x, tape), tape), [1, 4], tape);
        if (useB)
            SoftmaxCrossEntropy.Compute(new GlobalAveragePooling().Forward(b.Forward(x, tape), tape), [0, 2], tape);
        tape.Backward();
        return (x.Grad!.ToArray(), x.GroundGrad!.ToArray());
    }
}
