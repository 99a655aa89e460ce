using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;

namespace SpatiallySparse.Tests.Networks;

[TestFixture]
public sealed class DeepCNetTests
{
    [Test]
    public void DeepCNet5x60HasThePapersWeightCount()
    {
        Sequential net = DeepCNet.Create(new DeepCNetOptions { L = 5, K = 60, Classes = 10 });
        long weights = net.NamedParameters().Where(p => p.Name.EndsWith("weight", StringComparison.Ordinal)).Sum(p => (long)p.Parameter.Rows * p.Parameter.Columns);
        Assert.That(weights, Is.EqualTo(1_012_140), "Graham 2014: DeepCNet(5,60) has 1,012,140 weights");
    }

    [Test]
    public void PaperDropoutPlacesOneLayerPerNonZeroRate()
    {
        Sequential net = DeepCNet.Create(new DeepCNetOptions { L = 5, K = 4, DropoutRates = [0, 0, 0, .5f, .5f, .5f, .5f] });
        Assert.That(net.Children.OfType<Dropout>().Select(d => d.Rate), Is.EqualTo(new[] { .5f, .5f, .5f, .5f }));
        Assert.That(DeepCNet.RampDropout(5, 0.5f), Is.EqualTo(new[] { 0f, .1f, .2f, .3f, .4f, .5f, .5f }).Within(1e-6f));
        Assert.That(() => DeepCNet.Create(new DeepCNetOptions { L = 5, K = 4, DropoutRates = [0.5f] }),
            Throws.ArgumentException.With.Message.Contains("needs 7 dropout rates"));
    }

    [Test]
    public void ATinyTrainingRunLowersTheLoss()
    {
        // Two classes of 2-pixel-wide bars (horizontal vs vertical) on DeepCNet(2, 4): 12 x 12.
        Sequential net = DeepCNet.Create(new DeepCNetOptions { L = 2, K = 4, Classes = 2, Slope = 1f / 3, Seed = 3 });
        InputLayer inputLayer = new(new SpatialSize(12, 12));
        Sgd sgd = new(net.Parameters(), 0.05f, momentum: 0.9f);
        Random random = new(11);
        float first = 0, last = 0;
        for (int step = 0; step < 40; step++)
        {
            SparseInput input = new(16, 2, 1);
            int[] labels = new int[16];
            for (int b = 0; b < 16; b++)
            {
                labels[b] = random.Next(2);
                int at = random.Next(1, 10), from = random.Next(0, 4);
                for (int i = from; i < from + 7; i++)
                    input.Add(b, labels[b] == 0 ? [at, i] : [i, at], 1f);
            }
            using Tape tape = new();
            DenseTensor logits = (DenseTensor)net.Forward(inputLayer.Forward(input, new CpuBackend(2), tape), tape);
            LossResult loss = SoftmaxCrossEntropy.Compute(logits, labels, tape);
            sgd.ZeroGrad();
            tape.Backward();
            sgd.Step();
            if (step < 5)
                first += loss.Value / 5;
            if (step >= 35)
                last += loss.Value / 5;
        }
        Assert.That(first, Is.GreaterThan(0.5f), "starts near chance (ln 2)");
        Assert.That(last, Is.LessThan(0.5f * first), "the loss must fall");
    }

    [Test]
    public void ATrainingStepIsBitIdenticalWhateverTheThreadCount()
    {
        float[][] Step(int threads)
        {
            Sequential net = DeepCNet.Create(new DeepCNetOptions { L = 3, K = 20, Classes = 10, Slope = 1f / 3, Seed = 9, DropoutRates = DeepCNet.RampDropout(3, 0.5f) });
            Random random = new(4);
            SparseInput input = new(8, 2, 1);
            for (int b = 0; b < 8; b++)
                for (int i = 0; i < 40; i++)
                    input.Add(b, [6 + random.Next(12), 6 + random.Next(12)], 1f);
            using Tape tape = new();
            DenseTensor logits = (DenseTensor)net.Forward(new InputLayer(new SpatialSize(24, 24), DuplicateMode.Sum).Forward(input, new CpuBackend(threads), tape), tape);
            LossResult loss = SoftmaxCrossEntropy.Compute(logits, [0, 1, 2, 3, 4, 5, 6, 7], tape);
            tape.Backward();
            return [[loss.Value], .. net.Parameters().Select(p => p.Grad.ToArray())];
        }

        float[][] one = Step(1);
        Assert.That(Step(2), Is.EqualTo(one));
        Assert.That(Step(5), Is.EqualTo(one));
    }

    [Test]
    public void ReadmeQuickStartRuns()
    {
        Sequential net = DeepCNet.Create(new DeepCNetOptions { L = 5, K = 60, Classes = 10 });
        InputLayer input = new(new SpatialSize(96, 96));
        CpuBackend backend = new();
        Sgd sgd = new(net.Parameters(), LearningRateSchedule.Exponential(0.01f, 1e-5), momentum: 0.9f);
        SparseInput batch = new(batchSize: 2, dimension: 2, channels: 1);
        batch.Add(sample: 0, coordinate: [40, 41], feature: 0.8f);
        batch.Add(sample: 1, coordinate: [50, 47], feature: 1.0f);
        int[] labels = [3, 7];
        float[] before = net.Parameters().First().GetValues();
        using (Tape tape = new())
        {
            SparseTensor x = input.Forward(batch, backend, tape);
            DenseTensor logits = (DenseTensor)net.Forward(x, tape);
            LossResult loss = SoftmaxCrossEntropy.Compute(logits, labels, tape);
            Assert.That(loss.Value, Is.GreaterThan(0f).And.LessThan(10f));
            sgd.ZeroGrad();
            tape.Backward();
            sgd.Step();
        }
        Assert.That(net.Parameters().First().GetValues(), Is.Not.EqualTo(before), "the step changed the first layer's weights");
    }
}
