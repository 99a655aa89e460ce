using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;

namespace SpatiallySparse.Ilgpu.Tests;

/// <summary>A whole network on the ILGPU backend (CPU emulator): same losses as the CPU backend, geometry uploaded once.</summary>
[TestFixture]
public sealed class DeepCNetOnIlgpuTests
{
    [Test]
    public void ThreeTrainingStepsFollowTheCpuLossTrajectory()
    {
        float[] cpu = Train(new CpuBackend(2));
        using IlgpuBackend ilgpu = IlgpuBackend.CreateCpuEmulator();
        float[] device = Train(ilgpu);
        TestContext.Out.WriteLine($"cpu {string.Join(", ", cpu)}; ilgpu {string.Join(", ", device)}");
        Assert.That(device, Is.EqualTo(cpu).Within(1e-4f));
        Assert.That(cpu[2], Is.Not.EqualTo(cpu[0]), "the steps changed the weights");
    }

    [Test]
    public void ASecondPassOverTheSameBatchUploadsNoGeometry()
    {
        using IlgpuBackend backend = IlgpuBackend.CreateCpuEmulator();
        Sequential net = Network();
        net.To(backend);
        using Tape inputTape = new();
        SparseTensor x = new InputLayer(new SpatialSize(12, 12)).Forward(Batch(0), backend, inputTape);
        Step(net, x, null);
        long afterFirst = backend.GeometryUploads;
        Step(net, x, null);
        Assert.That(afterFirst, Is.GreaterThan(0));
        Assert.That(backend.GeometryUploads, Is.EqualTo(afterFirst), "rulebooks and grids are cached by identity");
    }

    [Test]
    public void DisposingABatchsMetadataFreesItsDeviceGeometryWithoutTheCollector()
    {
        // Issue 16: the copies used to be freed only after the GC reclaimed the host objects, at a later upload.
        using IlgpuBackend backend = IlgpuBackend.CreateCpuEmulator();
        Sequential net = Network();
        net.To(backend);
        long baseline = backend.GeometryBytesInUse;
        List<SparseTensor> keepAlive = [];
        for (int round = 0; round < 2; round++)
        {
            using (Tape inputTape = new())
            {
                SparseTensor x = new InputLayer(new SpatialSize(12, 12)).Forward(Batch(round), backend, inputTape);
                keepAlive.Add(x); // the host objects stay reachable: only the disposal can free their copies
                Step(net, x, null);
                Assert.That(backend.GeometryBytesInUse, Is.GreaterThan(baseline), "the step uploaded geometry");
            }
            Assert.That(backend.GeometryBytesInUse, Is.EqualTo(baseline), $"round {round}: device geometry left after the metadata was disposed");
        }
        GC.KeepAlive(keepAlive);
    }

    [Test]
    public void CreateCudaThrowsAClearErrorWithoutADevice()
    {
        if (IlgpuBackend.IsCudaAvailable())
            Assert.Ignore("This machine has a CUDA device.");
        Assert.That(() => IlgpuBackend.CreateCuda(), Throws.InvalidOperationException.With.Message.Contains("No CUDA device"));
    }

    private static float[] Train(ISparseBackend backend)
    {
        Sequential net = Network();
        net.To(backend);
        Sgd sgd = new(net.Parameters(), 0.05f, momentum: 0.9f);
        InputLayer inputLayer = new(new SpatialSize(12, 12));
        float[] losses = new float[3];
        for (int step = 0; step < losses.Length; step++)
        {
            using Tape tape = new();
            losses[step] = Step(net, inputLayer.Forward(Batch(step), backend, tape), sgd);
        }
        return losses;
    }

    /// <summary>DeepCNet(2, 4) on 12 x 12, very leaky ReLU, 3 classes.</summary>
    private static Sequential Network() =>
        DeepCNet.Create(new DeepCNetOptions { L = 2, K = 4, Classes = 3, Slope = 1f / 3, Seed = 5 });

    private static float Step(Sequential net, SparseTensor x, Sgd? sgd)
    {
        using Tape tape = new();
        DenseTensor logits = (DenseTensor)net.Forward(x, tape);
        LossResult loss = SoftmaxCrossEntropy.Compute(logits, [0, 1, 2, 1], tape);
        net.ZeroGrad();
        tape.Backward();
        sgd?.Step();
        return loss.Value;
    }

    /// <summary>Four samples of short random strokes, different each step.</summary>
    private static SparseInput Batch(int step)
    {
        Random random = new(100 + step);
        SparseInput input = new(4, 2, 1);
        for (int b = 0; b < 4; b++)
        {
            HashSet<(int, int)> used = [];
            for (int i = 0; i < 10; i++)
            {
                (int, int) site = (2 + random.Next(8), 2 + random.Next(8));
                if (used.Add(site))
                    input.Add(b, [site.Item1, site.Item2], (float)random.NextDouble());
            }
        }
        return input;
    }
}
