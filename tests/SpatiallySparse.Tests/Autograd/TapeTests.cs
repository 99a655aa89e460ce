using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Autograd;

/// <summary>Tape semantics: accumulation, zeroing, inference tapes, replay order and ownership.</summary>
[TestFixture]
public sealed class TapeTests
{
    private static readonly SpatialSize Grid = new(5, 5);

    [Test]
    public void GradientsAccumulateOverTwoBackwardPasses()
    {
        Convolution conv = NewConvolution();
        TrainStep(conv);
        float[] once = conv.Weight.Grad.ToArray();
        TrainStep(conv);
        float[] twice = conv.Weight.Grad.ToArray();
        Assert.That(once, Has.Some.Not.EqualTo(0f), "a zero gradient would make the doubling trivial");
        Assert.That(twice, Is.EqualTo(once.Select(g => 2f * g)).Within(1e-5f));
    }

    [Test]
    public void ZeroGradZeroesEveryParameter()
    {
        Convolution conv = NewConvolution();
        TrainStep(conv);
        Assert.That(conv.Bias!.Grad.ToArray(), Has.Some.Not.EqualTo(0f));
        conv.ZeroGrad();
        foreach (Parameter p in conv.Parameters())
            Assert.That(p.Grad.ToArray(), Is.All.EqualTo(0f), p.Name);
    }

    [Test]
    public void InferenceTapeRecordsNothingAndRefusesBackward()
    {
        Convolution conv = NewConvolution();
        using Tape tape = new(recordGradients: false);
        conv.Forward(Input(tape), tape);
        Assert.That(tape.Count, Is.Zero);
        Assert.That(() => tape.Backward(), Throws.InvalidOperationException.With.Message.Contains("recordGradients: false"));
    }

    [Test]
    public void BackwardReplaysClosuresInReverseOrder()
    {
        List<int> order = [];
        using Tape tape = new();
        for (int i = 1; i <= 3; i++)
        {
            int step = i;
            tape.Record(() => order.Add(step));
        }
        tape.Backward();
        Assert.That(order, Is.EqualTo(new[] { 3, 2, 1 }));
    }

    [Test]
    public void DisposingTheTapeDisposesIntermediatesButNotParameters()
    {
        Convolution conv = NewConvolution();
        Tape tape = new();
        SparseTensor x = Input(tape);
        SparseTensor y = conv.Forward(x, tape);
        DenseTensor logits = new SparseToDense().Forward(y, tape);
        SoftmaxCrossEntropy.Compute(logits, [0, 1], tape);
        tape.Backward();
        FeatureMatrix[] owned = [x.Features, x.Ground, y.Features, y.Ground, y.Grad!, logits.Features, logits.Grad!];
        Assert.That(owned.Select(m => m.IsDisposed), Is.All.False);
        tape.Dispose();
        Assert.That(owned.Select(m => m.IsDisposed), Is.All.True);
        Assert.That(conv.Parameters().SelectMany(p => new[] { p.Value.IsDisposed, p.Grad.IsDisposed }), Is.All.False);
    }

    [Test]
    public void DisposingTwiceIsHarmless()
    {
        Tape tape = new();
        FeatureMatrix m = tape.Own(CpuBackend.Shared.Allocate(2, 2));
        tape.Dispose();
        Assert.That(() => tape.Dispose(), Throws.Nothing);
        Assert.That(m.IsDisposed, Is.True);
    }

    private static Convolution NewConvolution()
    {
        Convolution conv = new(2, 1, 2, 3, seed: 1);
        conv.Bias!.SetValues([0.3f, -0.2f]);
        return conv;
    }

    private static void TrainStep(Convolution conv)
    {
        using Tape tape = new();
        DenseTensor logits = new SparseToDense().Forward(conv.Forward(Input(tape), tape), tape);
        SoftmaxCrossEntropy.Compute(logits, [0, 5], tape);
        tape.Backward();
    }

    private static SparseTensor Input(Tape tape)
    {
        SparseInput input = new(batchSize: 2, dimension: 2, channels: 1);
        input.Add(0, [1, 1], 0.5f);
        input.Add(0, [3, 2], -1f);
        input.Add(1, [2, 4], 2f);
        return new InputLayer(Grid).Forward(input, CpuBackend.Shared, tape);
    }
}
