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

    /// <summary>
    /// The geometry part of a sparse step alone: the input grid, then every convolution's and pooling layer's
    /// rules in network order (what <see cref="Run"/> builds before and between its kernels). Returns the pair count.
    /// </summary>
    public long BuildGeometry(SparseInput input)
    {
        using Tape tape = new(recordGradients: false);
        SparseTensor x = _input.Forward(input, _backend, tape);
        SpatialSize size = x.SpatialSize;
        long pairs = 0;
        foreach (Module layer in _net.Children)
        {
            (SpatialSize Filter, SpatialSize Stride)? window = layer switch
            {
                Convolution c => (c.FilterSize, c.Stride),
                Pooling p => (p.PoolSize, p.Stride),
                _ => null,
            };
            if (window is not { } w)
                continue;
            pairs += x.Metadata.GetConvolutionRules(size, w.Filter, w.Stride).Rules.PairCount;
            size = ((SparseModule)layer).OutputSpatialSize(size);
        }
        return pairs;
    }

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
