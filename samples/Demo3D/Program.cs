// The program of docs/tutorial-3d.md (a test checks that every C# block there appears here or in Voxels.cs verbatim):
// point clouds of generated scenes (a floor with spheres and boxes on it) become voxels of a 32 x 32 x 32 grid, and
// a submanifold U-Net learns to label every voxel floor, sphere or box. It trains with AdamW on batches built by
// worker threads, saves a checkpoint, restores it into a fresh network, and labels the voxels and points of
// held-out scenes; a few seconds on 2 cores.
//   dotnet run -c Release --project samples/Demo3D [-- STEPS [CHECKPOINT-FOLDER]]
using System.Globalization;
using SpatiallySparse;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Data;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;
using SpatiallySparse.Serialization;

int steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 80;
string folder = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "spatiallysparse-demo3d-" + Environment.ProcessId);

// <snippet:data>
// The data set: point clouds with a class per point, and each cloud's voxel labels (computed once).
PointCloud[] clouds = [.. Enumerable.Range(0, 240).Select(Scenes.Generate)];
Dictionary<long, int>[] voxelLabels = [.. clouds.Select(Voxels.VoxelLabels)];
// </snippet:data>
Console.WriteLine($"{clouds.Length} training clouds, {clouds.Average(c => c.Count):0} points and {voxelLabels.Average(v => v.Count):0} voxels each on average");

// <snippet:network>
// A submanifold U-Net: 3 levels (32³, 16³, 8³) of 8, 16 and 24 channels, 3 scores per active voxel.
UNetOptions unet = new()
{
    Dimension = 3,
    InputChannels = Voxels.Features,
    Widths = [8, 16, 24],
    Classes = Scenes.ClassCount,
    Seed = 1,
};
using CpuBackend backend = new(threads: 2);   // owns its worker threads: dispose it (after the networks: declared first)
using Sequential<SparseTensor, SparseTensor> net = UNet.Create(unet).To(backend);
// </snippet:network>

// <snippet:loader>
// Batches of 4 clouds, built (points, voxels, geometry) on worker threads while the network trains.
using SparseBatchLoader loader = new(new SparseBatchLoaderOptions
{
    SampleCount = clouds.Length,
    BatchSize = 4,
    GridSize = Voxels.Grid,
    Channels = Voxels.Features,
    Duplicates = DuplicateMode.Mean,           // several points in one voxel: the voxel gets their mean features
    Backend = backend,
    Network = net,
    Seed = 7,
    AddSample = (input, slot, index, random) => Voxels.Add(input, slot, clouds[index]),
});
// </snippet:loader>

System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
// <snippet:training>
using AdamW adamW = new(net.Parameters(), new CosineAnnealing(initialRate: 1e-2f, totalSteps: steps), weightDecay: 1e-4f);
using Tape tape = new();                       // one tape, reset after every step
List<float> losses = [];
for (int epoch = 0; losses.Count < steps; epoch++)
{
    foreach (SparseBatch batch in loader.Epoch(epoch))
    {
        using (batch)                           // the batch owns its input tensor and geometry
        {
            SparseTensor logits = net.Forward(batch.Tensor, tape);   // one row of 3 scores per active voxel
            int[] labels = Voxels.SiteLabels(batch.Tensor.Grid, batch.Indices, voxelLabels);
            int[] predicted = new int[labels.Length];
            float loss = SiteSoftmaxCrossEntropy.Compute(logits, labels, tape, predicted);
            adamW.ZeroGrad();
            tape.Backward();
            adamW.Step();
            tape.Reset();                       // frees the step's tensors (the batch goes next)
            losses.Add(loss);
            if (losses.Count % 10 == 0)
                Console.WriteLine($"step {losses.Count,3}  loss {loss:0.0000}  voxels right {labels.Zip(predicted).Count(p => p.First == p.Second) * 100.0 / labels.Length:0.0}%");
        }
        if (losses.Count == steps)
            break;
    }
}
// </snippet:training>
int window = Math.Max(1, Math.Min(10, steps / 4));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"mean loss: first {window} steps {losses.Take(window).Average():0.0000}, last {window} steps {losses.TakeLast(window).Average():0.0000} ({steps} steps in {clock.Elapsed.TotalSeconds:0.0} s)"));

// <snippet:checkpoint>
// Model, optimiser state, position and settings in one atomic, checksummed checkpoint folder.
Dictionary<string, string> settings = new() { ["network"] = "unet-3d-8-16-24", ["lr"] = "1e-2 cosine", ["batch"] = "4" };
CheckpointManager checkpoints = new(folder, net, adamW, settings);
checkpoints.Start(resume: false);
string saved = checkpoints.Save(epoch: 0, stepInEpoch: steps);
// </snippet:checkpoint>

// <snippet:restore>
// Another run (or process): the same network and optimiser, then the newest checkpoint's state.
using Sequential<SparseTensor, SparseTensor> restored = UNet.Create(unet).To(backend);
using AdamW restoredAdamW = new(restored.Parameters(), new CosineAnnealing(initialRate: 1e-2f, totalSteps: steps), weightDecay: 1e-4f);
CheckpointRecord record = new CheckpointManager(folder, restored, restoredAdamW, settings).RestoreLatest();
Console.WriteLine($"restored {Path.GetFileName(record.Path)} (optimiser step {record.OptimizerStepCount})");
// </snippet:restore>
Directory.Delete(folder, recursive: true);

// <snippet:inference>
// Inference on 8 held-out clouds: no tape; evaluation mode (batch norm's running statistics); results are yours to dispose.
PointCloud[] heldOut = [.. Enumerable.Range(100_000, 8).Select(Scenes.Generate)];
InputLayer input = new(Voxels.Grid, DuplicateMode.Mean);
SparseInput points = new(batchSize: heldOut.Length, dimension: 3, channels: Voxels.Features);
for (int b = 0; b < heldOut.Length; b++)
    Voxels.Add(points, b, heldOut[b]);
using SparseTensor x = input.Forward(points, backend);
using SparseTensor scores = restored.Forward(x);         // shares x's geometry: disposed first (declared after x)
int[] voxelClass = Voxels.ArgMaxPerSite(scores);         // one class per active voxel, in x's row order
int[] pointClass = Voxels.PerPoint(x.Grid, sample: 0, heldOut[0], voxelClass);   // back to the first cloud's points
Console.WriteLine($"{x}; the first cloud's points: " +
    string.Join(", ", Enumerable.Range(0, Scenes.ClassCount).Select(k => $"{pointClass.Count(c => c == k)} {Scenes.ClassNames[k]}")));
// </snippet:inference>

// <snippet:cost>
// What it costs: features live at the active voxels only, and each batch's geometry is built once and cached.
RuleBook rules = x.Metadata.GetSubmanifoldRules(Voxels.Grid, SpatialSize.Cube(3, 3));
Console.WriteLine($"{x.ActiveCount} active voxels of {x.BatchSize * Voxels.Grid.Volume} ({x.ActiveCount * 100.0 / (x.BatchSize * Voxels.Grid.Volume):0.0}%); " +
    $"3x3x3 submanifold rules at 32³: {rules.PairCount} pairs, {rules.PairCount / (double)x.ActiveCount:0.0} per voxel of 27");
// </snippet:cost>

using (SparseTensor again = net.Forward(x))
    Console.WriteLine($"the restored network's scores equal the trained one's: {again.GetFeatures().SequenceEqual(scores.GetFeatures())}");
int[] truth = Voxels.SiteLabels(x.Grid, [.. Enumerable.Range(0, heldOut.Length)], [.. heldOut.Select(Voxels.VoxelLabels)]);
int[] right = new int[Scenes.ClassCount], total = new int[Scenes.ClassCount];
for (int row = 0; row < truth.Length; row++)
{
    total[truth[row]]++;
    right[truth[row]] += voxelClass[row] == truth[row] ? 1 : 0;
}
int pointsRight = 0, pointsIn = 0;
for (int b = 0; b < heldOut.Length; b++)
{
    int[] perPoint = Voxels.PerPoint(x.Grid, b, heldOut[b], voxelClass);
    for (int i = 0; i < perPoint.Length; i++)
        if (perPoint[i] >= 0)
            (pointsIn, pointsRight) = (pointsIn + 1, pointsRight + (perPoint[i] == heldOut[b].Labels[i] ? 1 : 0));
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"held-out voxels right: {right.Sum() * 100.0 / truth.Length:0.0}% (always '{Scenes.ClassNames[Array.IndexOf(total, total.Max())]}': {total.Max() * 100.0 / truth.Length:0.0}%); points right: {pointsRight * 100.0 / pointsIn:0.0}%"));
Console.WriteLine("per class: " + string.Join(", ", Enumerable.Range(0, Scenes.ClassCount).Select(k =>
    string.Create(CultureInfo.InvariantCulture, $"{Scenes.ClassNames[k]} {right[k] * 100.0 / Math.Max(1, total[k]):0.0}% of {total[k]}"))));

// <snippet:classifier>
// A 3D classifier (one label per cloud) from the same parts: ResNet blocks (Residual), pooling, a global average.
using Sequential<SparseTensor, DenseTensor> classifier = new Sequential<SparseTensor, DenseTensor>(
    new SubmanifoldConvolution(dimension: 3, inputChannels: Voxels.Features, outputChannels: 16, filterSize: 3, seed: 1),
    ResNetBlock.Create(dimension: 3, inputChannels: 16, outputChannels: 16, seed: 2),
    new MaxPooling(dimension: 3, poolSize: 2, stride: 2, includeGround: false),   // 32³ -> 16³
    ResNetBlock.Create(dimension: 3, inputChannels: 16, outputChannels: 32, seed: 3),
    new BatchNormalization(32),
    new LeakyRelu(),
    new GlobalAveragePooling(),
    new Linear(32, 2, seed: 4)).To(backend);
using DenseTensor perCloud = classifier.Forward(x);
Console.WriteLine($"classifier (untrained): {perCloud.BatchSize} clouds x {perCloud.Width} scores");
// </snippet:classifier>

// <snippet:level>
// One U-Net level by hand, as UNet.Create nests them: down to 16³, work there, back up onto the 32³ voxels, and
// ConcatenateBranches joins that with the level's own features (Residual would add them instead).
Sequential<SparseTensor, SparseTensor> downAndUp = new(
    new BatchNormalization(8),
    new LeakyRelu(),
    new Convolution(dimension: 3, inputChannels: 8, outputChannels: 16, filterSize: 2, stride: 2, bias: false, seed: 5),
    new BatchNormalization(16),
    new LeakyRelu(),
    new SubmanifoldConvolution(3, 16, 16, 3, bias: false, seed: 6),
    new BatchNormalization(16),
    new LeakyRelu(),
    new Deconvolution(dimension: 3, inputChannels: 16, outputChannels: 8, filterSize: 2, stride: 2, bias: false, seed: 7));
using Sequential<SparseTensor, SparseTensor> twoLevels = new Sequential<SparseTensor, SparseTensor>(
    new SubmanifoldConvolution(3, Voxels.Features, 8, 3, bias: false, seed: 4),
    new ConcatenateBranches(new Identity(), downAndUp),   // 8 + 8 channels on the same voxels
    new BatchNormalization(16),
    new LeakyRelu(),
    new SubmanifoldConvolution(3, 16, 8, 3, bias: false, seed: 8),
    new BatchNormalization(8),
    new LeakyRelu(),
    new NetworkInNetwork(8, Scenes.ClassCount, seed: 9)).To(backend);
using SparseTensor perVoxel = twoLevels.Forward(x);
Console.WriteLine($"two-level U-Net (untrained): {perVoxel.ActiveCount} voxels x {perVoxel.Channels} scores");
// </snippet:level>
