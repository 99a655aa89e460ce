using System.CommandLine;
using MnistDeepCNet;
using SpatiallySparse.Samples.Common;

// DeepCNet(l, k) on MNIST (Graham 2014), sparse, dense, or both in the same run (the default, short).
MnistOptions defaults = new();
Option<string?> data = new("--data") { Description = $"MNIST folder (else ${DataFolder.EnvironmentVariable}, then shared/data/mnist above this folder, then a download into the cache)" };
Option<string> network = new("--network") { Description = "deepcnet | simple-cnn (a plain dense CNN on the 32 x 32 digit, trained alone: --compare false)", DefaultValueFactory = _ => defaults.Architecture };
Option<int> l = new("--l") { Description = "DeepCNet l: input grid 3 * 2^l (>= 4)", DefaultValueFactory = _ => defaults.L };
Option<int> k = new("--k") { Description = "DeepCNet k: layer n has n * k filters", DefaultValueFactory = _ => defaults.K };
Option<string> dropout = new("--dropout") { Description = "none | paper (0,0,0,.5,...) | ramp:P (rate P*i/l) | l+2 comma-separated rates", DefaultValueFactory = _ => defaults.Dropout };
Option<string> dropoutScaling = new("--dropout-scaling") { Description = "test (outputs x (1 - rate) at test time, the paper's) | train (inverted dropout)", DefaultValueFactory = _ => defaults.DropoutScaling };
Option<int> epochs = new("--epochs") { Description = "epochs", DefaultValueFactory = _ => defaults.Epochs };
Option<int> batch = new("--batch") { Description = "mini-batch size", DefaultValueFactory = _ => defaults.Batch };
Option<float> lr = new("--lr") { Description = "initial learning rate", DefaultValueFactory = _ => defaults.LearningRate };
Option<double> lrDecay = new("--lr-decay") { Description = "learning-rate decay d per batch: lr * exp(-d t)", DefaultValueFactory = _ => defaults.LearningRateDecay };
Option<float> momentum = new("--momentum") { Description = "SGD momentum", DefaultValueFactory = _ => defaults.Momentum };
Option<bool> nesterov = new("--nesterov") { Description = "Nesterov momentum (SparseConvNet's later recipe: --momentum 0.99 with the learning rate x (1 - momentum))" };
Option<float> slope = new("--slope") { Description = "leaky ReLU slope (0: ReLU)", DefaultValueFactory = _ => defaults.Slope };
Option<int> seed = new("--seed") { Description = "seed of weights, data order, shifts and dropout", DefaultValueFactory = _ => defaults.Seed };
Option<int> threads = new("--threads") { Description = "CPU threads (0: one per core)", DefaultValueFactory = _ => defaults.Threads };
Option<string> backend = new("--backend") { Description = "cpu, or gpu (CUDA through ILGPU; sparse network only)", DefaultValueFactory = _ => defaults.Backend };
Option<bool> dense = new("--dense") { Description = "train only the dense baseline" };
Option<bool> compare = new("--compare") { Description = "train sparse and dense in the same run (--compare false: sparse only)", DefaultValueFactory = _ => defaults.Compare };
Option<int> trainSubset = new("--train-subset") { Description = "first N training images (0: all 60000)", DefaultValueFactory = _ => defaults.TrainSubset ?? 0 };
Option<int> testSubset = new("--test-subset") { Description = "first N test images (0: all 10000)", DefaultValueFactory = _ => defaults.TestSubset ?? 0 };
Option<float> threshold = new("--threshold") { Description = "pixel active when value/255 exceeds this", DefaultValueFactory = _ => defaults.Threshold };
Option<string?> checkpoint = new("--checkpoint") { Description = "checkpoint folder (one per epoch, and on Ctrl-C)" };
Option<bool> resume = new("--resume") { Description = "continue from the newest checkpoint in --checkpoint (an error when there is none)" };
Option<bool> overrideSettings = new("--override-settings") { Description = "with --resume: continue even when the checkpoint was saved with other settings" };
Option<bool> distributed = new("--distributed") { Description = "one rank of a data-parallel MPI job (mpiexec -n N): --batch is the global batch, split evenly over the ranks" };
Option<string> outDir = new("--out") { Description = "results folder (results.json, results.md, PNG plots)", DefaultValueFactory = _ => defaults.Out };

RootCommand root = new("Trains DeepCNet(l, k) on MNIST sparsely and, for comparison, densely (Graham 2014).")
{
    data, network, l, k, dropout, dropoutScaling, epochs, batch, lr, lrDecay, momentum, nesterov, slope, seed, threads, backend, dense, compare, trainSubset, testSubset, threshold, checkpoint, resume, overrideSettings, outDir, distributed,
};
root.SetAction(parsed =>
{
    MnistOptions options = new()
    {
        Data = parsed.GetValue(data), Architecture = parsed.GetValue(network)!, L = parsed.GetValue(l), K = parsed.GetValue(k), Dropout = parsed.GetValue(dropout)!, DropoutScaling = parsed.GetValue(dropoutScaling)!,
        Epochs = parsed.GetValue(epochs), Batch = parsed.GetValue(batch), LearningRate = parsed.GetValue(lr), LearningRateDecay = parsed.GetValue(lrDecay),
        Momentum = parsed.GetValue(momentum), Nesterov = parsed.GetValue(nesterov), Slope = parsed.GetValue(slope), Seed = parsed.GetValue(seed), Threads = parsed.GetValue(threads),
        Backend = parsed.GetValue(backend)!, DenseOnly = parsed.GetValue(dense), Compare = parsed.GetValue(compare),
        TrainSubset = parsed.GetValue(trainSubset) is int n and not 0 ? n : null, TestSubset = parsed.GetValue(testSubset) is int m and not 0 ? m : null,
        Threshold = parsed.GetValue(threshold), Checkpoint = parsed.GetValue(checkpoint), Resume = parsed.GetValue(resume), OverrideSettings = parsed.GetValue(overrideSettings), Out = parsed.GetValue(outDir)!,
    };
    // Only --distributed loads the MPI library: without it the sample runs where no MPI is installed.
    return parsed.GetValue(distributed)
        // Checked before MPI starts: a bad setting ends each rank with its message and exit code 1, not an abort of the job.
        ? !SampleMain.Checked(options.Validate) ? 1 : SampleMain.RunDistributed(args, (session, reporter, cancellation) => MnistApp.Run(options, reporter, new DataFolder(), cancellation, session))
        : SampleMain.Run(cancellation => MnistApp.Run(options, new ConsoleReporter(), new DataFolder(), cancellation));
});
return root.Parse(args).Invoke();
