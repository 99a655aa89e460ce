// A first SpatiallySparse program: DeepCNet(3, 8) learns to tell four kinds of pen stroke apart
// (horizontal, vertical, diagonal, anti-diagonal) drawn at random places on a 24 x 24 grid. Only the
// stroke's cells are active, so the network never touches the empty background. It prints the loss
// falling and the accuracy on fresh strokes; it takes a few seconds on two cores.
using System.Diagnostics;
using SpatiallySparse;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;

const int L = 3, Classes = 4, Batch = 32;
int steps = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 150;
int side = DeepCNet.InputSide(L);
CpuBackend backend = new();
Sequential net = DeepCNet.Create(new DeepCNetOptions { L = L, K = 8, Classes = Classes, Slope = 1f / 3, Seed = 1 });
InputLayer inputLayer = new(new SpatialSize(side, side), DuplicateMode.Error);
Sgd sgd = new(net.Parameters(), LearningRateSchedule.Exponential(0.05f, 1e-3), momentum: 0.9f);
Random random = new(7);
Console.WriteLine($"DeepCNet({L}, 8) on {side}x{side} strokes, {backend.Name}");
Stopwatch clock = Stopwatch.StartNew();
double running = 0;
for (int step = 1; step <= steps; step++)
{
    (SparseInput input, int[] labels) = Strokes.Batch(random, Batch, side);
    using Tape tape = new();
    DenseTensor logits = (DenseTensor)net.Forward(inputLayer.Forward(input, backend, tape), tape);
    LossResult loss = SoftmaxCrossEntropy.Compute(logits, labels, tape);
    sgd.ZeroGrad();
    tape.Backward();
    sgd.Step();
    running = step == 1 ? loss.Value : 0.9 * running + 0.1 * loss.Value;
    if (step % 10 == 0 || step == 1)
        Console.WriteLine($"step {step,4}  loss {running:0.0000}  lr {sgd.LearningRate:0.0000}");
}
net.Eval();
int correct = 0, total = 0;
for (int i = 0; i < 8; i++)
{
    (SparseInput input, int[] labels) = Strokes.Batch(random, Batch, side);
    using Tape tape = new(recordGradients: false);
    DenseTensor logits = (DenseTensor)net.Forward(inputLayer.Forward(input, backend, tape), tape);
    correct += SoftmaxCrossEntropy.Compute(logits, labels, tape).CountCorrect(labels);
    total += labels.Length;
}
Console.WriteLine($"test accuracy on {total} fresh strokes: {100.0 * correct / total:0.0}%  ({clock.Elapsed.TotalSeconds:0.0} s)");

/// <summary>Random straight strokes of four orientations, rasterised to active cells with ink 1.</summary>
internal static class Strokes
{
    public static (SparseInput Input, int[] Labels) Batch(Random random, int batch, int side)
    {
        SparseInput input = new(batch, 2, 1);
        int[] labels = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            labels[b] = random.Next(4);
            (int dx, int dy) = labels[b] switch { 0 => (1, 0), 1 => (0, 1), 2 => (1, 1), _ => (1, -1) };
            int length = random.Next(5, side / 2);
            int x = random.Next(0, side - length), y = dy < 0 ? random.Next(length, side) : random.Next(0, side - length);
            for (int i = 0; i < length; i++)
                input.Add(b, [x + dx * i, y + dy * i], 1f);
        }
        return (input, labels);
    }
}
