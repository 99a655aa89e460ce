using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Layers;

/// <summary>Network-in-network (a 1x1 convolution): y = x W + b on every active site and on the ground state.</summary>
public sealed class NetworkInNetwork : SparseModule
{
    /// <summary>Creates the layer.</summary>
    public NetworkInNetwork(int inputChannels, int outputChannels, bool bias = true, int? seed = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputChannels);
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        Weight = AddParameter("weight", inputChannels, outputChannels);
        Bias = bias ? AddParameter("bias", 1, outputChannels) : null;
        ResetOwnParameters(new Random(seed ?? Initialization.NextSeed()));
    }

    /// <summary>Input channels.</summary>
    public int InputChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutputChannels { get; }

    /// <summary>Weights, Cin x Cout.</summary>
    public Parameter Weight { get; }

    /// <summary>Bias, 1 x Cout, or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    protected override SparseTensor ForwardCore(SparseTensor input, Tape tape)
    {
        if (input.Channels != InputChannels)
            throw new ArgumentException($"{this} expects {InputChannels} input channels, got {input.Channels}.");
        CheckBackend(Weight, input);
        ISparseBackend be = input.Backend;
        FeatureMatrix features = be.Allocate(input.ActiveCount, OutputChannels);
        FeatureMatrix ground = be.Allocate(input.BatchSize, OutputChannels);
        LinearCore.Forward(be, input.Features, Weight, Bias, features);
        LinearCore.Forward(be, input.Ground, Weight, Bias, ground);
        SparseTensor y = tape.Own(SparseTensor.Create(input.Metadata, input.Grid, features, ground, input.GroundIsZero && Bias is null));
        tape.Record(() =>
        {
            if (y.Grad is not null)
                LinearCore.Backward(be, input.Features, y.Grad, Weight, Bias, input.GradOrCreate());
            if (y.GroundGrad is not null)
                LinearCore.Backward(be, input.Ground, y.GroundGrad, Weight, Bias, input.GroundIsZero ? null : input.GroundGradOrCreate());
        });
        return y;
    }

    /// <inheritdoc/>
    protected override void ResetOwnParameters(Random random) =>
        ConvolutionCore.Initialize(Weight, Bias, 1, InputChannels, OutputChannels, random);

    /// <summary>E.g. <c>NetworkInNetwork 64->64</c>.</summary>
    public override string ToString() => $"NetworkInNetwork {InputChannels}->{OutputChannels}";
}

/// <summary>y = x W + b and its backward, shared by <see cref="NetworkInNetwork"/> and <see cref="Linear"/>.</summary>
internal static class LinearCore
{
    public static void Forward(ISparseBackend be, FeatureMatrix x, Parameter weight, Parameter? bias, FeatureMatrix y)
    {
        if (bias is not null)
            be.AddRowVector(bias.Value, y);
        be.MatMulAdd(x, false, weight.Value, false, y);
    }

    public static void Backward(ISparseBackend be, FeatureMatrix x, FeatureMatrix gradY, Parameter weight, Parameter? bias, FeatureMatrix? gradX)
    {
        be.MatMulAdd(x, true, gradY, false, weight.Grad);
        if (bias is not null)
            be.SumRows(gradY, bias.Grad);
        if (gradX is not null)
            be.MatMulAdd(gradY, false, weight.Value, true, gradX);
    }
}
