using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;

namespace SpatiallySparse.Distributed.Tests;

/// <summary>Tape.Backward(moduleFinished), on which the overlapped all-reduce relies.</summary>
[TestFixture]
public sealed class BackwardHookTests
{
    [Test]
    public void EachModuleIsAnnouncedOnceLastLayerFirstWithItsGradientsFinal()
    {
        using Sequential<SparseTensor, DenseTensor> net = DeepCNet.Create(new DeepCNetOptions { L = 2, K = 4, Seed = 2 });
        float[][] final = Run(net, null);
        List<Module> order = [];
        Dictionary<Module, float[][]> atAnnouncement = new(ReferenceEqualityComparer.Instance);
        float[][] again = Run(net, m =>
        {
            order.Add(m);
            atAnnouncement[m] = [.. m.NamedParameters().Where(n => !n.Name.Contains('.', StringComparison.Ordinal)).Select(n => n.Parameter.Grad.ToArray())];
        });
        Assert.That(again, Is.EqualTo(final));
        Assert.That(order, Is.Unique);
        List<Module> layers = [.. net.Children];
        Assert.That(order.Where(layers.Contains), Is.EqualTo(Enumerable.Reverse(layers)).Using<Module>(ReferenceEquals));
        Assert.That(order[^1], Is.SameAs(net), "the network itself last");
        int offset = 0;
        foreach ((string name, Parameter p) in net.NamedParameters())
        {
            Module owner = layers[int.Parse(name[..name.IndexOf('.', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)];
            Assert.That(atAnnouncement[owner], Does.Contain(final[offset++]), $"{name} was final when its layer was announced");
            _ = p;
        }
    }

    private static float[][] Run(Sequential<SparseTensor, DenseTensor> net, Action<Module>? hook)
    {
        SparseInput input = new(2, 2, 1);
        for (int i = 0; i < 12; i++)
            input.Add(i % 2, [i % 12, i * 5 % 12], 0.1f * i);
        using Tape tape = new();
        net.ZeroGrad();
        SparseTensor x = new InputLayer(SpatialSize.Cube(2, DeepCNet.InputSide(2))).Forward(input, CpuBackend.Shared, tape);
        SoftmaxCrossEntropy.Compute(net.Forward(x, tape), [1, 3], tape);
        tape.Backward(hook);
        return [.. net.Parameters().Select(p => p.Grad.ToArray())];
    }
}
