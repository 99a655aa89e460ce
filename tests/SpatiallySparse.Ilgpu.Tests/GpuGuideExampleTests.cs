using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;

namespace SpatiallySparse.Ilgpu.Tests;

/// <summary>The training step shown in docs/gpu.md, compiled here and run where a CUDA device is present.</summary>
[TestFixture]
public sealed class GpuGuideExampleTests
{
    [Test]
    public void TheGuidesStepTrainsOnTheDevice()
    {
        if (!IlgpuBackend.IsCudaAvailable())
            Assert.Ignore("No CUDA device: the guide's example runs on a machine with one.");
        SparseInput batch = new(batchSize: 2, dimension: 2, channels: 1);
        batch.Add(0, [40, 41], 0.8f);
        batch.Add(1, [50, 47], 1f);
        int[] labels = [3, 7];
        Assert.That(float.IsFinite(GuideStep(batch, labels).Value), Is.True);
    }

    private static LossResult GuideStep(SparseInput batch, int[] labels)
    {
        using IlgpuBackend gpu = IlgpuBackend.CreateCuda();      // throws InvalidOperationException without a CUDA device
        using Sequential<SparseTensor, DenseTensor> net = DeepCNet.Create(new DeepCNetOptions { L = 5, K = 60 }).To(gpu);
        using Sgd sgd = new(net.Parameters(), 0.003f, momentum: 0.9f); // after To: velocities live with the parameters
        using Tape tape = new();
        SparseTensor x = new InputLayer(new SpatialSize(96, 96)).Forward(batch, gpu, tape);
        LossResult loss = SoftmaxCrossEntropy.Compute(net.Forward(x, tape), labels, tape);
        sgd.ZeroGrad();
        tape.Backward();
        sgd.Step();
        return loss;
    }
}
