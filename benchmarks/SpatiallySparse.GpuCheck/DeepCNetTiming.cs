using System.Diagnostics;
using SpatiallySparse.Autograd;
using SpatiallySparse.Ilgpu;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;

namespace SpatiallySparse.GpuCheck;

/// <summary>Times a DeepCNet(5, k) training step (the full check: k = 60, batch 100) on the GPU backend.</summary>
internal static class DeepCNetTiming
{
    public static void Run(IlgpuBackend backend, Report report, string? mnist, CheckSettings settings)
    {
        Sequential net = DeepCNet.Create(new DeepCNetOptions { L = 5, K = settings.K, Classes = 10, Seed = 1 });
        net.To(backend);
        Sgd sgd = new(net.Parameters(), 0.003f, momentum: 0.9f);
        InputLayer inputLayer = new(new SpatialSize(96, 96));
        (SparseInput Input, int[] Labels)[] batches = mnist is null ? Synthetic(settings.Batch) : Mnist.Batches(mnist, settings.Batch, 3);
        Console.WriteLine($"DeepCNet(5,{settings.K}) training step, batch {settings.Batch}, {(mnist is null ? "synthetic MNIST-like inputs (~150 pixels near the centre)" : $"MNIST from {mnist}")}");
        int step = 0;
        float loss = 0;
        double fresh = ConvolutionTiming.Median(backend, settings.Repeats, () =>
        {
            (SparseInput input, int[] labels) = batches[step++ % batches.Length];
            using Tape tape = new();
            loss = Step(net, sgd, inputLayer.Forward(input, backend, tape), labels, tape);
        });
        using Tape inputTape = new();
        SparseTensor cached = inputLayer.Forward(batches[0].Input, backend, inputTape);
        double reused = ConvolutionTiming.Median(backend, settings.Repeats, () =>
        {
            using Tape tape = new();
            loss = Step(net, sgd, cached, batches[0].Labels, tape);
        });
        Console.WriteLine($"  step with new geometry (input layer + rulebooks on the CPU): {fresh:F2} ms; on a cached batch: {reused:F2} ms; last loss {loss:F4}");
        report.Add("deepcnet_step_ms", fresh.ToString("F2"));
        report.Add("deepcnet_step_cached_geometry_ms", reused.ToString("F2"));
    }

    private static float Step(Sequential net, Sgd sgd, SparseTensor x, int[] labels, Tape tape)
    {
        DenseTensor logits = (DenseTensor)net.Forward(x, tape);
        LossResult loss = SoftmaxCrossEntropy.Compute(logits, labels, tape);
        sgd.ZeroGrad();
        tape.Backward();
        sgd.Step();
        return loss.Value;
    }

    private static (SparseInput, int[])[] Synthetic(int batch) =>
        Enumerable.Range(0, 3).Select(i => (Shapes.SyntheticDigits(batch, 96, 150, 10 + i), Enumerable.Range(0, batch).Select(b => (b + i) % 10).ToArray())).ToArray();
}
