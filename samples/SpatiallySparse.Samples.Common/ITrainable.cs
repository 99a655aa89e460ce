using SpatiallySparse.Autograd;
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
    /// Builds the batch of samples <paramref name="indices"/> (training set when <paramref name="augmentation"/>
    /// is not null, which then drives the random augmentation; test set otherwise) and runs the network.
    /// </summary>
    DenseTensor Forward(int[] indices, Random? augmentation, Tape tape);
}
