using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Layers;

/// <summary>Fully connected layer on a dense batch: y = x W + b (the softmax layer's logits).</summary>
public sealed class Linear : DenseModule
{
    /// <summary>Creates the layer.</summary>
    public Linear(int inputFeatures, int outputFeatures, bool bias = true, int? seed = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputFeatures);
        InputFeatures = inputFeatures;
        OutputFeatures = outputFeatures;
        Weight = AddParameter("weight", inputFeatures, outputFeatures);
        Bias = bias ? AddParameter("bias", 1, outputFeatures) : null;
        ResetOwnParameters(new Random(seed ?? Initialization.NextSeed()));
    }

    /// <summary>Input width.</summary>
    public int InputFeatures { get; }

    /// <summary>Output width.</summary>
    public int OutputFeatures { get; }

    /// <summary>Weights, in x out.</summary>
    public Parameter Weight { get; }

    /// <summary>Bias, 1 x out, or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    protected override DenseTensor ForwardCore(DenseTensor input, Tape tape)
    {
        if (input.Width != InputFeatures)
            throw new ArgumentException($"{this} expects {InputFeatures} input features, got {input.Width}.");
        CheckBackend(Weight, input);
        ISparseBackend be = input.Backend;
        FeatureMatrix values = be.Allocate(input.BatchSize, OutputFeatures);
        LinearCore.Forward(be, input.Features, Weight, Bias, values);
        DenseTensor y = tape.Own(DenseTensor.Create(values));
        if (tape.IsRecording)
            tape.Record(Node.Of(this, input, y));
        return y;
    }

    /// <summary>The layer's backward step (pooled, so a step allocates none).</summary>
    private sealed class Node : PooledNode<Node>
    {
        private Linear? _layer;
        private DenseTensor? _input, _y;

        public static Node Of(Linear layer, DenseTensor input, DenseTensor y)
        {
            Node node = Rent();
            (node._layer, node._input, node._y) = (layer, input, y);
            return node;
        }

        public override void Backward()
        {
            DenseTensor input = _input!;
            if (_y!.Grad is { } grad)
                LinearCore.Backward(input.Backend, input.Features, grad, _layer!.Weight, _layer.Bias, input.GradOrCreate());
        }

        protected override void Clear() => (_layer, _input, _y) = (null, null, null);
    }

    /// <inheritdoc/>
    protected override void ResetOwnParameters(Random random) =>
        ConvolutionCore.Initialize(Weight, Bias, 1, InputFeatures, OutputFeatures, random);

    /// <summary>E.g. <c>Linear 360->10</c>.</summary>
    public override string ToString() => $"Linear {InputFeatures}->{OutputFeatures}";
}
