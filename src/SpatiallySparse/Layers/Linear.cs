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
    public override DenseTensor Forward(DenseTensor input, Tape tape)
    {
        if (input.Width != InputFeatures)
            throw new ArgumentException($"{this} expects {InputFeatures} input features, got {input.Width}.");
        CheckBackend(Weight, input);
        ISparseBackend be = input.Backend;
        FeatureMatrix values = be.Allocate(input.BatchSize, OutputFeatures);
        LinearCore.Forward(be, input.Features, Weight, Bias, values);
        DenseTensor y = tape.Own(new DenseTensor(values));
        tape.Record(() =>
        {
            if (y.Grad is not null)
                LinearCore.Backward(be, input.Features, y.Grad, Weight, Bias, input.GradOrCreate());
        });
        return y;
    }

    /// <inheritdoc/>
    protected override void ResetOwnParameters(Random random) =>
        ConvolutionCore.Initialize(Weight, Bias, 1, InputFeatures, OutputFeatures, random);

    /// <summary>E.g. <c>Linear 360->10</c>.</summary>
    public override string ToString() => $"Linear {InputFeatures}->{OutputFeatures}";
}
