using System.CommandLine;
using AssameseHandwriting;
using SpatiallySparse.Samples.Common;

// Online handwritten Assamese characters (UCI, 183 classes): pen strokes rendered as sparse pictures, a sparse VGG-style
// net or DeepCNet(6, k), trained on writers 1-36 and tested on the unseen writers 37-45; optionally the dense twin too.
AssameseOptions defaults = new();
Option<string?> data = new("--data") { Description = $"Assamese folder (else ${DataFolder.EnvironmentVariable}[/assamese], then shared/data/assamese above this folder, then a download into the cache)" };
Option<string> net = new("--net") { Description = "vgg (sparse VGG-style net, 95x95) | deepcnet (DeepCNet(6, k), 192x192) | simple-cnn (a plain dense CNN, 64x64)", DefaultValueFactory = _ => defaults.Net };
Option<int> k = new("--k") { Description = "DeepCNet k: layer n has n * k filters", DefaultValueFactory = _ => defaults.K };
Option<float> slope = new("--slope") { Description = "DeepCNet's and the simple CNN's leaky ReLU slope (0: ReLU)", DefaultValueFactory = _ => defaults.Slope };
Option<string> widths = new("--widths") { Description = "sparse VGG block widths (two 3x3 convolutions each, then 3x3/2 max pooling)", DefaultValueFactory = _ => defaults.Widths };
Option<int> epochs = new("--epochs") { Description = "epochs (0 with --render: only write the pictures)", DefaultValueFactory = _ => defaults.Epochs };
Option<int> batch = new("--batch") { Description = "mini-batch size", DefaultValueFactory = _ => defaults.Batch };
Option<float?> lr = new("--lr") { Description = "initial learning rate (default: vgg 0.1, deepcnet and simple-cnn 0.01)" };
Option<double> lrDecay = new("--lr-decay") { Description = "learning-rate decay d per epoch: lr * exp(-d epoch)", DefaultValueFactory = _ => defaults.LearningRateDecay };
Option<float> momentum = new("--momentum") { Description = "SGD Nesterov momentum", DefaultValueFactory = _ => defaults.Momentum };
Option<float> weightDecay = new("--weight-decay") { Description = "SGD weight decay", DefaultValueFactory = _ => defaults.WeightDecay };
Option<int> seed = new("--seed") { Description = "seed of weights, data order, subsets and distortions", DefaultValueFactory = _ => defaults.Seed };
Option<int> threads = new("--threads") { Description = "CPU threads (0: one per core)", DefaultValueFactory = _ => defaults.Threads };
Option<bool> dense = new("--dense") { Description = "train only the dense baseline" };
Option<bool> compare = new("--compare") { Description = "train the sparse network, then its dense baseline, in the same run" };
Option<int> trainSubset = new("--train-subset") { Description = "N training characters, a fixed random subset (0: all)", DefaultValueFactory = _ => 0 };
Option<int> testSubset = new("--test-subset") { Description = "N test characters (0: all)", DefaultValueFactory = _ => 0 };
Option<int> features = new("--features") { Description = "features per site: 1 (ink), 3 (ink + direction), 9 (ink + 8 direction bins)", DefaultValueFactory = _ => defaults.Features };
Option<float?> scale = new("--scale") { Description = $"longer side of a normalised character, in grid cells (default: 64; simple-cnn {AssameseOptions.SimpleCnnScale})" };
Option<bool> augment = new("--augment") { Description = "distort training characters (--augment false: off)", DefaultValueFactory = _ => defaults.Augment };
Option<string> testWriters = new("--test-writers") { Description = "writers of the test set, e.g. 37-45 or 1,5,40-45", DefaultValueFactory = _ => defaults.TestWriters };
Option<string?> checkpoint = new("--checkpoint") { Description = "checkpoint folder (one per epoch, and on Ctrl-C)" };
Option<bool> resume = new("--resume") { Description = "continue from the newest checkpoint in --checkpoint (an error when there is none)" };
Option<bool> overrideSettings = new("--override-settings") { Description = "with --resume: continue even when the checkpoint was saved with other settings" };
Option<string> outDir = new("--out") { Description = "results folder (results.json, results.md, PNG plots, render/)", DefaultValueFactory = _ => defaults.Out };
Option<bool> initialGradients = new("--initial-gradients") { Description = "report the untrained network's loss, output spread and weight gradients on the first batch, then stop" };
Option<int> render = new("--render") { Description = "write PNGs of N rendered training characters (plain and distorted) to OUT/render", DefaultValueFactory = _ => 0 };

RootCommand root = new("Trains a sparse VGG-style net, DeepCNet(6, k) or a plain dense CNN on online handwritten Assamese characters, writer-independently (Graham 2014).")
{
    data, net, k, slope, widths, epochs, batch, lr, lrDecay, momentum, weightDecay, seed, threads, dense, compare, trainSubset, testSubset, features, scale, augment,
    testWriters, checkpoint, resume, overrideSettings, outDir, render, initialGradients,
};
root.SetAction(parsed =>
{
    AssameseOptions options = new()
    {
        Data = parsed.GetValue(data), Net = parsed.GetValue(net)!, K = parsed.GetValue(k), Slope = parsed.GetValue(slope), Widths = parsed.GetValue(widths)!, Epochs = parsed.GetValue(epochs),
        Batch = parsed.GetValue(batch), LearningRate = parsed.GetValue(lr), LearningRateDecay = parsed.GetValue(lrDecay), Momentum = parsed.GetValue(momentum),
        WeightDecay = parsed.GetValue(weightDecay), Seed = parsed.GetValue(seed), Threads = parsed.GetValue(threads), DenseOnly = parsed.GetValue(dense),
        Compare = parsed.GetValue(compare), TrainSubset = parsed.GetValue(trainSubset) is int n and not 0 ? n : null,
        TestSubset = parsed.GetValue(testSubset) is int m and not 0 ? m : null, Features = parsed.GetValue(features), Scale = parsed.GetValue(scale),
        Augment = parsed.GetValue(augment), TestWriters = parsed.GetValue(testWriters)!, Checkpoint = parsed.GetValue(checkpoint), Resume = parsed.GetValue(resume), OverrideSettings = parsed.GetValue(overrideSettings),
        Out = parsed.GetValue(outDir)!, Render = parsed.GetValue(render), InitialGradients = parsed.GetValue(initialGradients),
    };
    return SampleMain.Run(cancellation => AssameseApp.Run(options, new ConsoleReporter(), new DataFolder(), cancellation));
});
return root.Parse(args).Invoke();
