using SpatiallySparse.Layers;

namespace SpatiallySparse.Networks;

/// <summary>Settings of a DeepCNet(l, k) (Graham 2014).</summary>
public sealed record DeepCNetOptions
{
    /// <summary>Number of pooling levels l; the input grid is 3 · 2^l per side.</summary>
    public required int L { get; init; }

    /// <summary>Width k: layer n has n · k filters.</summary>
    public required int K { get; init; }

    /// <summary>Features per input site (MNIST: 1).</summary>
    public int InputChannels { get; init; } = 1;

    /// <summary>Output classes of the softmax layer.</summary>
    public int Classes { get; init; } = 10;

    /// <summary>Spatial dimensions (2 for images and pen strokes).</summary>
    public int Dimension { get; init; } = 2;

    /// <summary>Leaky ReLU slope: 0 = ReLU (the paper), 1/3 = the later code's "very leaky" ReLU.</summary>
    public float Slope { get; init; }

    /// <summary>
    /// Dropout rates at the input of layers 1..l+1 and of the softmax layer (l + 2 values), e.g. the paper's
    /// MNIST 0, 0, 0, .5, .5, .5, .5 for l = 5; null for none.
    /// </summary>
    public IReadOnlyList<float>? DropoutRates { get; init; }

    /// <summary>
    /// Where dropout's 1 / (1 - rate) correction goes: at test time (the paper's convention, the default) or in
    /// training (inverted dropout). The two train the same function family; they differ in the size of the
    /// training signal and gradients, which sets how long a deep net with dropout sits on its initial plateau.
    /// </summary>
    public DropoutScaling DropoutScaling { get; init; } = DropoutScaling.ScaleAtTest;

    /// <summary>Adds a 1x1 network-in-network layer after each convolution (DeepCNiN).</summary>
    public bool NetworkInNetwork { get; init; }

    /// <summary>Seed of the weights and dropout masks.</summary>
    public int Seed { get; init; }
}

/// <summary>
/// Builds DeepCNet(l, k): a 3x3 convolution with k filters, then for n = 2..l+1 a 2x2 convolution with n · k
/// filters, 2x2 max pooling after each of the first l convolutions, leaving a single site; then a softmax
/// (linear) layer. All convolutions are Graham's valid sparse convolutions with ground states.
/// </summary>
public static class DeepCNet
{
    /// <summary>Input grid side, 3 · 2^l (l = 5: 96; l = 6: 192).</summary>
    public static int InputSide(int l) => l is >= 1 and <= 12 ? 3 << l : throw new ArgumentOutOfRangeException(nameof(l), $"l must be in 1..12, got {l}.");

    /// <summary>Creates the network; its input is a <see cref="SparseTensor"/> on a grid of side <see cref="InputSide"/>.</summary>
    /// <example>
    /// The paper's DeepCNet(5, 60) on the GPU backend and one SGD step (compiled in the ILGPU tests, shown in docs/gpu.md).
    /// <code language="csharp">
    /// using IlgpuBackend gpu = IlgpuBackend.CreateCuda();      // throws InvalidOperationException without a CUDA device
    /// using Sequential&lt;SparseTensor, DenseTensor&gt; net = DeepCNet.Create(new DeepCNetOptions { L = 5, K = 60 }).To(gpu);
    /// using Sgd sgd = new(net.Parameters(), 0.003f, momentum: 0.9f); // after To: velocities live with the parameters
    /// using Tape tape = new();
    /// SparseTensor x = new InputLayer(new SpatialSize(96, 96)).Forward(batch, gpu, tape);
    /// LossResult loss = SoftmaxCrossEntropy.Compute(net.Forward(x, tape), labels, tape);
    /// sgd.ZeroGrad();
    /// tape.Backward();
    /// sgd.Step();
    /// </code>
    /// </example>
    public static Sequential<SparseTensor, DenseTensor> Create(DeepCNetOptions options) => new(Build(options, SparseLayers));

    /// <summary>The modules of the network, made by <paramref name="make"/> (sparse here; the dense package passes its own).</summary>
    internal static List<Module> Build(DeepCNetOptions options, LayerFactory make)
    {
        ArgumentNullException.ThrowIfNull(options);
        int l = options.L, k = options.K, dim = options.Dimension;
        InputSide(l);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        IReadOnlyList<float> rates = options.DropoutRates ?? new float[l + 2];
        if (rates.Count != l + 2)
            throw new ArgumentException($"DeepCNet({l}, {k}) needs {l + 2} dropout rates (inputs of layers 1..{l + 1} and the softmax layer), got {rates.Count}.");
        // One generator hands out every layer's seed in a fixed order, so the sparse and dense builds match.
        Random seeds = new(options.Seed);
        List<Module> net = [];
        int channels = options.InputChannels;
        for (int n = 1; n <= l + 1; n++)
        {
            AddDropout(net, rates[n - 1], options.DropoutScaling, seeds, make);
            int width = n * k;
            net.Add(make.Convolution(dim, channels, width, n == 1 ? 3 : 2, seeds.Next()));
            net.Add(make.Activation(options.Slope));
            if (options.NetworkInNetwork)
            {
                net.Add(make.NetworkInNetwork(dim, width, seeds.Next()));
                net.Add(make.Activation(options.Slope));
            }
            if (n <= l)
                net.Add(make.Pooling(dim));
            channels = width;
        }
        AddDropout(net, rates[l + 1], options.DropoutScaling, seeds, make);
        net.Add(make.Flatten());
        net.Add(new Linear(channels, options.Classes, seed: seeds.Next()));
        return net;
    }

    /// <summary>
    /// Rates of Graham's later code: p · i / l at the input of layer i (0 for the first layer and the softmax
    /// layer gets p), l + 2 values.
    /// </summary>
    public static float[] RampDropout(int l, float p)
    {
        float[] rates = new float[l + 2];
        for (int i = 0; i <= l + 1; i++)
            rates[i] = Math.Min(p, p * i / l);
        return rates;
    }

    private static void AddDropout(List<Module> net, float rate, DropoutScaling scaling, Random seeds, LayerFactory make)
    {
        if (rate > 0f)
            net.Add(make.Dropout(rate, scaling, seeds.Next()));
    }

    private static readonly LayerFactory SparseLayers = new(
        (dim, cin, cout, f, seed) => new Convolution(dim, cin, cout, f, seed: seed),
        slope => new LeakyRelu(slope),
        (dim, width, seed) => new NetworkInNetwork(width, width, seed: seed),
        dim => new MaxPooling(dim, 2, 2),
        (rate, scaling, seed) => new Dropout(rate, scaling: scaling, seed: seed),
        () => new SparseToDense());

    /// <summary>The layer constructors of one execution mode (sparse here, dense in SpatiallySparse.Dense).</summary>
    internal sealed record LayerFactory(
        Func<int, int, int, int, int, Module> Convolution,
        Func<float, Module> Activation,
        Func<int, int, int, Module> NetworkInNetwork,
        Func<int, Module> Pooling,
        Func<float, DropoutScaling, int, Module> Dropout,
        Func<Module> Flatten);
}
