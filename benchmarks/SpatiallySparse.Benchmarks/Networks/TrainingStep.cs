using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Dense;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// One SGD training step (momentum 0.9) of a <see cref="StepWorkload"/>'s network, run sparsely
/// (<see cref="DeepCNet.Create"/>, input layer and rulebooks built every step) or by the library's dense path
/// (<see cref="DeepCNet.CreateDense"/>, the same points written into a full grid).
/// </summary>
public sealed class TrainingStep
{
    private readonly Module _net;
    private readonly Sgd _sgd;
    private readonly InputLayer _input;
    private readonly ISparseBackend _backend;
    private readonly SpatialSize _size;

    /// <summary>Builds the network and its optimiser on <paramref name="backend"/>.</summary>
    public TrainingStep(StepWorkload workload, bool dense, ISparseBackend backend)
    {
        ArgumentNullException.ThrowIfNull(workload);
        Dense = dense;
        _backend = backend;
        _size = SpatialSize.Cube(2, workload.GridSide);
        _input = new InputLayer(_size);
        _net = (dense ? DeepCNet.CreateDense(workload.Network) : DeepCNet.Create(workload.Network)).To(backend);
        _sgd = new Sgd(_net.Parameters(), 0.003f, momentum: 0.9f);
    }

    /// <summary>True for the dense path.</summary>
    public bool Dense { get; }

    /// <summary>Forward, loss, backward and the SGD update on one batch; returns the loss.</summary>
    public float Run(SparseInput input, int[] labels)
    {
        using Tape tape = new();
        Tensor x = Dense ? tape.Own(DenseFeatureMap.FromSparseInput(input, _size, _backend)) : _input.Forward(input, _backend, tape);
        DenseTensor logits = (DenseTensor)_net.Forward(x, tape);
        LossResult loss = SoftmaxCrossEntropy.Compute(logits, labels, tape);
        _sgd.ZeroGrad();
        tape.Backward();
        _sgd.Step();
        return loss.Value;
    }
}
