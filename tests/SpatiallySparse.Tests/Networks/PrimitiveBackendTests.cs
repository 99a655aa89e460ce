using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Tests.Support;

namespace SpatiallySparse.Tests.Networks;

/// <summary>
/// A backend that implements only the primitives of <see cref="ISparseBackend"/> is correct at once: DeepCNet,
/// whose first block and later convolutions the CPU runs fused, gives the same logits and gradients when the
/// layers compose those paths from the primitives.
/// </summary>
[TestFixture]
public sealed class PrimitiveBackendTests
{
    [Test]
    public void DeepCNetOnThePrimitivesEqualsTheFusedCpu()
    {
        CpuBackend cpu = new(2);
        using PrimitiveBackend primitives = new(cpu);
        Assert.That(cpu, Is.InstanceOf<IFusedConvolutionActivationBackend>().And.InstanceOf<IFusedConvolutionPoolingBackend>());
        Assert.That(primitives, Is.Not.InstanceOf<IFusedConvolutionActivationBackend>().And.Not.InstanceOf<IFusedConvolutionPoolingBackend>());
        (float[] fusedLogits, float[] fusedGradients) = Step(cpu);
        (float[] logits, float[] gradients) = Step(primitives);
        Assert.That(logits, Is.EqualTo(fusedLogits).Within(1e-5f), "logits");
        Assert.That(gradients.Length, Is.EqualTo(fusedGradients.Length));
        for (int i = 0; i < gradients.Length; i++)
            Assert.That(gradients[i], Is.EqualTo(fusedGradients[i]).Within(1e-5f), $"gradient {i}");
        Assert.That(fusedGradients.Count(g => g != 0), Is.GreaterThan(fusedGradients.Length / 2), "gradients reach most parameters");
    }

    /// <summary>One forward and backward of DeepCNet(3, 8) with a leaky slope on <paramref name="backend"/>: its logits and parameter gradients.</summary>
    private static (float[] Logits, float[] Gradients) Step(ISparseBackend backend)
    {
        Sequential net = DeepCNet.Create(new DeepCNetOptions { L = 3, K = 8, Classes = 4, Slope = 1f / 3, Seed = 7 });
        net.To(backend);
        net.ZeroGrad();
        using Tape tape = new();
        SparseTensor input = new InputLayer(new SpatialSize(DeepCNet.InputSide(3), DeepCNet.InputSide(3)), DuplicateMode.Sum).Forward(Strokes(), backend, tape);
        DenseTensor logits = (DenseTensor)net.Forward(input, tape);
        SoftmaxCrossEntropy.Compute(logits, [0, 3, 1], tape);
        tape.Backward();
        return (logits.Features.ToArray(), [.. net.Parameters().SelectMany(p => p.Grad.ToArray())]);
    }

    private static SparseInput Strokes()
    {
        SparseInput points = new(3, 2, 1);
        Random random = new(13);
        for (int i = 0; i < 90; i++)
            points.Add(i % 3, [random.Next(4, 20), random.Next(4, 20)], random.NextSingle() + 0.5f);
        return points;
    }
}
