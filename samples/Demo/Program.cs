// A first SpatiallySparse program, and the source of the code in README.md and docs/getting-started.md (a test
// checks that every C# block there appears here verbatim): a small network of your own learns to tell four kinds
// of pen stroke apart (horizontal, vertical, diagonal, anti-diagonal) drawn at random places on a 32 x 32 grid.
// Only the stroke's cells are active, so the network never touches the empty background. It trains with Adam on
// batches built by worker threads, saves and restores a checkpoint, and classifies fresh strokes; a few seconds.
//   dotnet run -c Release --project samples/Demo [-- STEPS [CHECKPOINT-FOLDER]]
using System.Globalization;
using SpatiallySparse;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Data;
using SpatiallySparse.Layers;
using SpatiallySparse.Optim;
using SpatiallySparse.Serialization;

int steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 120;
string folder = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "spatiallysparse-demo-" + Environment.ProcessId);

// <snippet:input>
SparseInput points = new(batchSize: 2, dimension: 2, channels: 1);
points.Add(sample: 0, coordinate: [3, 4], feature: 1f);
// </snippet:input>

// <snippet:network>
// A network of your own: its input is a sparse 2D batch with one feature (ink), its output 4 logits per sample.
using Sequential<SparseTensor, DenseTensor> net = new(
    new SubmanifoldConvolution(dimension: 2, inputChannels: 1, outputChannels: 16, filterSize: 3, seed: 1),
    new BatchNormalization(16),
    new LeakyRelu(0.1f),
    new MaxPooling(dimension: 2, poolSize: 2, stride: 2, includeGround: false),
    new SubmanifoldConvolution(2, 16, 32, 3, seed: 2),
    new BatchNormalization(32),
    new LeakyRelu(0.1f),
    new GlobalAveragePooling(),
    new Linear(32, 4, seed: 3));
using CpuBackend backend = new(threads: 2);   // owns its worker threads: dispose it
// </snippet:network>

// <snippet:loader>
// Batches are built (points, input tensor, geometry) on worker threads while the network trains.
using SparseBatchLoader loader = new(new SparseBatchLoaderOptions
{
    SampleCount = 4000,
    BatchSize = 32,
    GridSize = new SpatialSize(32, 32),
    Channels = 1,
    Backend = backend,
    Network = net,
    Seed = 7,
    AddSample = (input, slot, index, random) => Strokes.Add(input, slot, Strokes.Label(index), random),
    Label = Strokes.Label,
});
// </snippet:loader>

// <snippet:training>
using Adam adam = new(net.Parameters(), learningRate: 3e-3f);
using Tape tape = new();                       // one tape, reset after every step
int step = 0;
foreach (SparseBatch batch in loader.Epoch(0))
{
    using (batch)                               // the batch owns its input tensor and geometry
    {
        DenseTensor logits = net.Forward(batch.Tensor, tape);
        float loss = SoftmaxCrossEntropy.Compute(logits, batch.Labels!, tape, predictions: []);
        adam.ZeroGrad();
        tape.Backward();
        adam.Step();
        tape.Reset();                           // frees the step's tensors (the batch goes next)
        if (++step % 20 == 0)
            Console.WriteLine($"step {step,4}  loss {loss:0.0000}");
    }
    if (step == steps)
        break;
}
// </snippet:training>

// <snippet:checkpoint>
// Model, optimiser state, position and settings in one atomic, checksummed checkpoint folder.
Dictionary<string, string> settings = new() { ["network"] = "strokes-2x16-32", ["lr"] = "3e-3", ["batch"] = "32" };
CheckpointManager checkpoints = new(folder, net, adam, settings) { Keep = 2 };
checkpoints.Start(resume: false);
string saved = checkpoints.Save(epoch: 0, stepInEpoch: step);
CheckpointRecord restored = checkpoints.RestoreLatest();   // what a resumed run does first
Console.WriteLine($"saved and restored {Path.GetFileName(saved)} (optimiser step {restored.OptimizerStepCount})");
// </snippet:checkpoint>
Directory.Delete(folder, recursive: true);

// <snippet:inference>
// Inference: no tape; evaluation mode (batch norm's running statistics); the results are yours to dispose.
InputLayer input = new(new SpatialSize(32, 32));
SparseInput strokes = new(batchSize: 4, dimension: 2, channels: 1);
Random fresh = new(2026);
for (int b = 0; b < 4; b++)
    Strokes.Add(strokes, b, label: b, fresh);
using SparseTensor x = input.Forward(strokes, backend);
using DenseTensor scores = net.Forward(x);
int[] predicted = scores.ArgMax();
float[] probabilities = scores.Softmax();
Console.WriteLine($"drawn 0 1 2 3, predicted {string.Join(' ', predicted)} (p = {probabilities[0]:0.00} for the first)");
// </snippet:inference>

int correct = 0;
for (int i = 0; i < 200; i++)
{
    SparseInput one = new(1, 2, 1);
    Strokes.Add(one, 0, i % 4, fresh);
    using SparseTensor t = input.Forward(one, backend);
    using DenseTensor y = net.Forward(t);
    correct += y.ArgMax()[0] == i % 4 ? 1 : 0;
}
Console.WriteLine($"accuracy on 200 fresh strokes: {correct / 2.0:0.0}%");

/// <summary>Random straight strokes of four orientations, rasterised to active cells with ink 1.</summary>
internal static class Strokes
{
    /// <summary>The class of training sample <paramref name="index"/>: the four orientations in turn.</summary>
    public static int Label(int index) => index % 4;

    /// <summary>Adds a random stroke of class <paramref name="label"/> to slot <paramref name="slot"/>.</summary>
    public static void Add(SparseInput input, int slot, int label, Random random)
    {
        const int Side = 32;
        (int dx, int dy) = label switch { 0 => (1, 0), 1 => (0, 1), 2 => (1, 1), _ => (1, -1) };
        int length = random.Next(6, Side / 2);
        int x = random.Next(0, Side - length), y = dy < 0 ? random.Next(length, Side) : random.Next(0, Side - length);
        for (int i = 0; i < length; i++)
            input.Add(slot, [x + dx * i, y + dy * i], 1f);
    }
}
