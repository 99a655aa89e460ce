using SpatiallySparse.Autograd;
using SpatiallySparse.Data;
using SpatiallySparse.Layers;
using SpatiallySparse.Optim;

namespace SpatiallySparse.Samples.Common;

/// <summary>A network with its data, as the <see cref="Trainer"/> drives it one mini-batch at a time.</summary>
public interface ITrainable
{
    /// <summary>Short name used in output and checkpoint folders, e.g. <c>sparse</c>.</summary>
    string Name { get; }

    /// <summary>The network.</summary>
    Module Network { get; }

    /// <summary>Its optimiser.</summary>
    Sgd Optimizer { get; }

    /// <summary>Number of training samples.</summary>
    int TrainCount { get; }

    /// <summary>Number of test samples.</summary>
    int TestCount { get; }

    /// <summary>Labels of the given samples of the training (or test) set.</summary>
    int[] Labels(int[] indices, bool training);

    /// <summary>
    /// A loader of the training set (shuffled by <paramref name="seed"/>, augmented) or of the test set (in order,
    /// not augmented), in batches of <paramref name="batchSize"/>; with a <paramref name="shard"/>, this rank's part
    /// of each global batch (see <see cref="LoaderShard"/>). The caller owns and disposes it.
    /// </summary>
    SparseBatchLoader Loader(bool training, int batchSize, int seed, LoaderShard? shard = null);

    /// <summary>Runs the network on a batch of its loader; the batch must outlive <paramref name="tape"/>.</summary>
    DenseTensor Forward(SparseBatch batch, Tape tape);
}
