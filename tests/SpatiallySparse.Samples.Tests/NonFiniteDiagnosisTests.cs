using MnistDeepCNet;
using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Layers;
using SpatiallySparse.Samples.Common;

namespace SpatiallySparse.Samples.Tests;

/// <summary>A non-finite loss names what can be seen (issue 16) instead of always saying "lower --lr".</summary>
[TestFixture]
public sealed class NonFiniteDiagnosisTests
{
    private static readonly MnistSplit Train = SyntheticDigits.Split(20, seed: 1), Test = SyntheticDigits.Split(5, seed: 2);

    [Test]
    public void ACorruptedWeightIsNamedWithItsLayer()
    {
        MnistTrainable model = SyntheticDigits.Model(false, Train, Test);
        (string name, Parameter p) = model.Network.NamedParameters().Skip(2).First();
        float[] values = p.GetValues();
        values[0] = float.NaN;
        p.SetValues(values);
        Trainer trainer = new(new TrainerOptions { Epochs = 1, BatchSize = 10, Seed = 1 }, new TextReporter(TextWriter.Null));
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => trainer.Run(model))!;
        string layer = "network." + name[..name.LastIndexOf('.')];
        Assert.That(e.Message, Does.Contain("the training loss became NaN in epoch 1, batch 1").And.Contain($"layer {layer} ").And.Contain("corrupted weight"));
    }

    [Test]
    public void WithFiniteWeightsANegativeSlopeIsNamedBeforeTheLearningRate()
    {
        using Sequential net = new(new LeakyRelu(0.1f), new LeakyRelu(-0.5f));
        Assert.That(NonFiniteDiagnosis.Explain(net), Does.Contain("layer network.1 has a negative leaky ReLU slope (-0.5, --slope)"));
        MnistTrainable model = SyntheticDigits.Model(false, Train, Test);
        Assert.That(NonFiniteDiagnosis.Explain(model.Network), Does.Contain("weights are finite").And.Contain("--lr is too high"));
    }
}
