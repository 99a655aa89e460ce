// Builds from the packed packages alone: a small network of the user's own, a few training steps, inference,
// a checkpoint saved and restored, the dense twin, a pen stroke rendered, and the GPU backend's type. Prints
// "package consumer: ok" and exits 0 when everything behaved; any failure throws and exits non-zero.
using System.Numerics;
using SpatiallySparse;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Dense;
using SpatiallySparse.Handwriting;
using SpatiallySparse.Ilgpu;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;
using SpatiallySparse.Serialization;

using CpuBackend backend = new(threads: 2);
using Sequential<SparseTensor, DenseTensor> net = new(
    new SubmanifoldConvolution(2, 1, 8, 3, seed: 1),
    new BatchNormalization(8),
    new LeakyRelu(0.1f),
    new MaxPooling(2, 2, 2, includeGround: false),
    new SubmanifoldConvolution(2, 8, 16, 3, seed: 2),
    new GlobalAveragePooling(),
    new Linear(16, 2, seed: 3));
InputLayer input = new(new SpatialSize(16, 16));
using Adam adam = new(net.Parameters(), learningRate: 1e-2f);
Random random = new(5);
float first = 0, last = 0;
using (Tape tape = new())
{
    for (int step = 0; step < 30; step++)
    {
        (SparseInput batch, int[] labels) = Lines(random);
        DenseTensor logits = net.Forward(input.Forward(batch, backend, tape), tape);
        float loss = SoftmaxCrossEntropy.Compute(logits, labels, tape, predictions: []);
        (first, last) = step == 0 ? (loss, loss) : (first, loss);
        adam.ZeroGrad();
        tape.Backward();
        adam.Step();
        tape.Reset();
    }
}
Check(last < first, $"the loss falls ({first:0.000} -> {last:0.000})");

(SparseInput test, int[] truth) = Lines(random);
using SparseTensor x = input.Forward(test, backend);
using DenseTensor scores = net.Forward(x);
int[] predicted = scores.ArgMax();
Check(predicted.Zip(truth).Count(p => p.First == p.Second) >= 6, $"inference classifies ({string.Join("", predicted)} for {string.Join("", truth)})");

string folder = Path.Combine(Path.GetTempPath(), "ss-consumer-" + Environment.ProcessId);
CheckpointManager checkpoints = new(folder, net, adam, new Dictionary<string, string> { ["net"] = "consumer" });
checkpoints.Start(resume: false);
checkpoints.Save(epoch: 0, stepInEpoch: 30);
float[] before = scores.ToArray();
CheckpointRecord restored = checkpoints.RestoreLatest();
using (DenseTensor again = net.Forward(x))
    Check(again.ToArray().SequenceEqual(before) && restored.OptimizerStepCount == 30, "the checkpoint restores the same network");
Directory.Delete(folder, recursive: true);

DeepCNetOptions options = new() { L = 2, K = 4, Classes = 3, Seed = 1 };
using Sequential<DenseFeatureMap, DenseTensor> dense = DenseNetworks.DeepCNet(options);
using Sequential<SparseTensor, DenseTensor> sparse = DeepCNet.Create(options);
Check(dense.Parameters().First().GetValues().SequenceEqual(sparse.Parameters().First().GetValues()), "the dense twin has the sparse network's weights");

StrokeRenderer renderer = new(gridSide: 32, StrokeFeatures.Ink);
SparseInput pen = new(1, 2, renderer.Channels);
Rendering rendering = renderer.Render(new PenCharacter([[new Vector2(0, 0), new Vector2(5, 5)]]).Normalize(24f), pen, 0);
Check(rendering.Sites.Count > 10, "a pen stroke renders");
Check(typeof(IlgpuBackend).Assembly.GetName().Name == "SpatiallySparse.Ilgpu", "the GPU package loads");
Console.WriteLine("package consumer: ok");

static (SparseInput Batch, int[] Labels) Lines(Random random)
{
    SparseInput batch = new(8, 2, 1);
    int[] labels = new int[8];
    for (int b = 0; b < 8; b++)
    {
        labels[b] = b % 2;
        int at = random.Next(2, 14);
        for (int i = 2; i < 14; i++)
            batch.Add(b, labels[b] == 0 ? [i, at] : [at, i], 1f);
    }
    return (batch, labels);
}

static void Check(bool condition, string what)
{
    if (!condition)
        throw new InvalidOperationException("package consumer: failed: " + what);
    Console.WriteLine("  " + what);
}
