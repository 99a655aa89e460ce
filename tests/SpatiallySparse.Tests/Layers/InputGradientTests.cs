using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Layers;

/// <summary>Backward skips the gradient of an input batch that did not ask for one, and nothing else changes.</summary>
[TestFixture]
public sealed class InputGradientTests
{
    [Test]
    public void WeightGradientsAreTheSameWhetherOrNotTheInputWantsAGradient()
    {
        float[][] grads = new float[2][];
        for (int run = 0; run < 2; run++)
        {
            bool wanted = run == 1;
            Convolution conv = new(2, 2, 5, 3, seed: 4);
            conv.ZeroGrad();
            SparseInput points = new(2, 2, 2) { RequiresGradient = wanted };
            Random random = new(9);
            for (int i = 0; i < 30; i++)
                points.Add(i % 2, [random.Next(10), random.Next(10)], [random.NextSingle(), random.NextSingle() - 0.5f]);
            using Tape tape = new();
            SparseTensor x = new InputLayer(new SpatialSize(10, 10), DuplicateMode.Sum).Forward(points, CpuBackend.Shared, tape);
            SparseTensor y = new LeakyRelu(0.1f).Forward(conv.Forward(x, tape), tape);
            DenseTensor logits = new GlobalAveragePooling().Forward(y, tape);
            SoftmaxCrossEntropy.Compute(logits, [1, 3], tape);
            tape.Backward();
            grads[run] = [.. conv.Weight.Grad.ToArray(), .. conv.Bias!.Grad.ToArray()];
            Assert.That(x.Grad is not null, Is.EqualTo(wanted), "the input's gradient exists only when asked for");
            Assert.That(points.FeatureGradient is not null, Is.EqualTo(wanted));
        }
        Assert.That(grads[0], Is.EqualTo(grads[1]), "bit-identical weight gradients");
        Assert.That(grads[0].Any(g => g != 0), Is.True);
    }
}
