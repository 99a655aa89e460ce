using System.Diagnostics;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Dense;
using SpatiallySparse.Geometry;
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
    private readonly Sequential _net;
    private readonly Sgd _sgd;
    private readonly InputLayer _input;
    private readonly ISparseBackend _backend;
    private readonly SpatialSize _size;
    private readonly Tape _tape = new();

    /// <summary>Builds the network and its optimiser on <paramref name="backend"/>.</summary>
    public TrainingStep(StepWorkload workload, bool dense, ISparseBackend backend)
    {
        ArgumentNullException.ThrowIfNull(workload);
        Dense = dense;
        _backend = backend;
        _size = SpatialSize.Cube(2, workload.GridSide);
        _input = new InputLayer(_size);
        _net = dense ? (Sequential)DenseNetworks.DeepCNet(workload.Network) : DeepCNet.Create(workload.Network);
        _net.To(backend);
        _sgd = new Sgd(_net.Parameters(), 0.003f, momentum: 0.9f);
    }

    /// <summary>True for the dense path.</summary>
    public bool Dense { get; }

    /// <summary>The network.</summary>
    public Sequential Network => _net;

    /// <summary>
    /// The geometry part of a sparse step alone: the input grid, then everything <see cref="Prebuild"/> builds.
    /// </summary>
    public (long Pairs, double ConvolutionFlops, double[] LayerForwardFlops) BuildGeometry(SparseInput input)
    {
        using Tape tape = new(recordGradients: false);
        double[] layerFlops = new double[_net.Children.Count];
        (long pairs, double flops) = Prebuild(_net, _input.Forward(input, _backend, tape), layerFlops);
        return (pairs, flops, layerFlops);
    }

    /// <summary>
    /// Builds every rulebook <paramref name="net"/> will ask for on <paramref name="x"/> and the views forward and
    /// backward build lazily (the library's <see cref="Sequential.BuildGeometry(SparseTensor)"/>), so that timed
    /// layers do arithmetic only. Returns the pair count and the convolutions' FLOPs on active pairs; fills
    /// <paramref name="layerForwardFlops"/>, when given, with each layer's forward FLOPs and tells
    /// <paramref name="built"/> of each piece once built.
    /// </summary>
    internal static (long Pairs, double ConvolutionFlops) Prebuild(Sequential net, SparseTensor x, Span<double> layerForwardFlops = default,
        GeometryPieceBuilt? built = null) => net.BuildGeometry(x, layerForwardFlops, built);

    /// <summary>Names of the stages <see cref="RunProfiled"/> times: the input, each layer, the loss, the SGD update.</summary>
    public IReadOnlyList<string> StageNames =>
        [Dense ? "dense input grid" : "InputLayer + every rulebook", .. _net.Children.Select(m => m.ToString() ?? m.GetType().Name), "loss", "SGD update"];

    /// <summary>
    /// <see cref="Run"/>, timing each stage's forward and backward work (ms) into <paramref name="forward"/> and
    /// <paramref name="backward"/> (indexed as <see cref="StageNames"/>). Backward times come from marker closures
    /// recorded on the tape between layers, which the tape replays in reverse.
    /// </summary>
    public void RunProfiled(SparseInput input, int[] labels, double[] forward, double[] backward)
    {
        IReadOnlyList<Module> layers = _net.Children;
        int n = layers.Count;
        long[] marks = new long[n + 1];
        using Tape tape = new();
        long t = Stopwatch.GetTimestamp();
        Tensor x = Dense ? tape.Own(DenseFeatureMap.FromSparseInput(input, _size, _backend)) : _input.Forward(input, _backend, tape);
        // Geometry up front (as the step's first stage), so that each layer's time is its arithmetic alone.
        if (x is SparseTensor sparse)
            Prebuild(_net, sparse);
        forward[0] = Lap(ref t);
        tape.Record(() => marks[0] = Stopwatch.GetTimestamp());
        // The network's own steps, so a fused convolution + activation is timed as it runs (under the convolution).
        for (int i = 0; i < n;)
        {
            int modules = _net.ModulesInStep(i);
            x = _net.ForwardStep(i, x, tape);
            forward[i + 1] = Lap(ref t);
            for (int k = i + 1; k <= i + modules; k++)
            {
                if (k > i + 1)
                    forward[k] = 0;
                int mark = k;
                tape.Record(() => marks[mark] = Stopwatch.GetTimestamp());
            }
            i += modules;
        }
        SoftmaxCrossEntropy.Compute((DenseTensor)x, labels, tape);
        forward[n + 1] = Lap(ref t);
        _sgd.ZeroGrad();
        long backwardStart = Stopwatch.GetTimestamp();
        tape.Backward();
        long backwardEnd = Stopwatch.GetTimestamp();
        backward[n + 1] = Stopwatch.GetElapsedTime(backwardStart, marks[n]).TotalMilliseconds;
        for (int i = n; i >= 1; i--)
            backward[i] = Stopwatch.GetElapsedTime(marks[i], marks[i - 1]).TotalMilliseconds;
        backward[0] = Stopwatch.GetElapsedTime(marks[0], backwardEnd).TotalMilliseconds;
        t = Stopwatch.GetTimestamp();
        _sgd.Step();
        forward[n + 2] = Lap(ref t);
        backward[n + 2] = 0;
    }

    /// <summary>Milliseconds since <paramref name="t"/>, which moves on to now.</summary>
    internal static double Lap(ref long t)
    {
        long now = Stopwatch.GetTimestamp();
        double ms = Stopwatch.GetElapsedTime(t, now).TotalMilliseconds;
        t = now;
        return ms;
    }

    /// <summary>
    /// Forward, loss, backward and the SGD update on one batch; returns the loss. Like a training loop that
    /// wants no allocation per step, it reuses one tape (reset after each step) and asks the loss for its value only.
    /// </summary>
    public float Run(SparseInput input, int[] labels)
    {
        Tape tape = _tape;
        try
        {
            Tensor x = Dense ? tape.Own(DenseFeatureMap.FromSparseInput(input, _size, _backend)) : _input.Forward(input, _backend, tape);
            DenseTensor logits = (DenseTensor)_net.Forward(x, tape);
            float loss = SoftmaxCrossEntropy.Compute(logits, labels, tape, predictions: []);
            _sgd.ZeroGrad();
            tape.Backward();
            _sgd.Step();
            return loss;
        }
        finally
        {
            tape.Reset();
        }
    }

    /// <summary>
    /// One inference batch of the sparse network: a tape-free input and forward in evaluation mode, the
    /// predicted classes into <paramref name="predictions"/>, both tensors disposed.
    /// </summary>
    public void Infer(SparseInput input, Span<int> predictions)
    {
        if (Dense)
            throw new InvalidOperationException("Inference is measured on the sparse network.");
        using SparseTensor x = _input.Forward(input, _backend);
        using Tensor logits = _net.Forward(x);
        ((DenseTensor)logits).ArgMax(predictions);
    }
}
