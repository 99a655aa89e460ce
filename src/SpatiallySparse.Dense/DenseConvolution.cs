using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Dense;

/// <summary>
/// Dense convolution by im2col and one GEMM: valid (no padding), the dense twin of <see cref="Convolution"/>, or
/// zero-padded by (f - 1) / 2 ('same'), the dense twin of <see cref="SubmanifoldConvolution"/> on a fully active
/// grid (a submanifold convolution ignores inactive neighbours, which zero padding reproduces at the border). Same parameters (weight (f^d x Cin) x Cout tap-major, bias 1 x Cout) and the same initialisation,
/// so weights copy across and the same seed gives the same network.
/// </summary>
public sealed class DenseConvolution : DenseMapModule
{
    /// <summary>A convolution with a cubic filter and stride, zero-padded by <paramref name="padding"/> sites on every side.</summary>
    public DenseConvolution(int dimension, int inputChannels, int outputChannels, int filterSize, int stride = 1, bool bias = true, int? seed = null, int padding = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(filterSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        if (padding >= filterSize)
            throw new ArgumentOutOfRangeException(nameof(padding), $"Padding {padding} would make whole windows of padding for filter size {filterSize}.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputChannels);
        FilterSize = SpatialSize.Cube(dimension, filterSize);
        Stride = SpatialSize.Cube(dimension, stride);
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        Padding = padding;
        Weight = AddParameter("weight", (int)FilterSize.Volume * inputChannels, outputChannels);
        Bias = bias ? AddParameter("bias", 1, outputChannels) : null;
        ResetOwnParameters(new Random(seed ?? Initialization.NextSeed()));
    }

    /// <summary>Filter extent per dimension.</summary>
    public SpatialSize FilterSize { get; }

    /// <summary>Stride per dimension.</summary>
    public SpatialSize Stride { get; }

    /// <summary>Zero padding on every side (0: valid).</summary>
    public int Padding { get; }

    /// <summary>Input channels.</summary>
    public int InputChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutputChannels { get; }

    /// <summary>Weights, (taps x Cin) x Cout.</summary>
    public Parameter Weight { get; }

    /// <summary>Bias, 1 x Cout, or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    protected override DenseFeatureMap ForwardCore(DenseFeatureMap input, Tape tape)
    {
        if (input.Channels != InputChannels)
            throw new ArgumentException($"{this} expects {InputChannels} input channels, got {input.Channels}.");
        CheckBackend(Weight, input);
        ISparseBackend be = input.Backend;
        WindowTable table = WindowTable.Get(input.SpatialSize, FilterSize, Stride, Padding);
        int batch = input.BatchSize, outRows = batch * (int)table.Output.Volume, threads = DenseKernels.ThreadsOf(be);
        FeatureMatrix col = tape.Own(be.AllocateForOverwrite(outRows, table.Taps * InputChannels));
        DenseKernels.Im2Col(DenseKernels.Host(input.Features), batch, (int)input.SpatialSize.Volume, InputChannels, table, DenseKernels.Host(col), threads);
        FeatureMatrix values = be.Allocate(outRows, OutputChannels);  // LinearCore.Forward accumulates into it
        LinearCore.Forward(be, col, Weight, Bias, values);
        DenseFeatureMap y = tape.Own(new DenseFeatureMap(values, batch, table.Output));
        tape.Record(() => Backward(input, y, col, table, tape));
        return y;
    }

    private void Backward(DenseFeatureMap x, DenseFeatureMap y, FeatureMatrix col, WindowTable table, Tape tape)
    {
        if (y.Grad is null)
            return;
        ISparseBackend be = x.Backend;
        FeatureMatrix? gradCol = x.NeedsGradient ? tape.Own(be.Allocate(col.Rows, col.Columns)) : null;
        LinearCore.Backward(be, col, y.Grad, Weight, Bias, gradCol);
        if (gradCol is not null)
            DenseKernels.Col2ImAdd(DenseKernels.Host(gradCol), x.BatchSize, (int)x.SpatialSize.Volume, InputChannels, table,
                DenseKernels.Host(x.GradOrCreate()), DenseKernels.ThreadsOf(be));
    }

    /// <inheritdoc/>
    protected override void ResetOwnParameters(Random random) =>
        ConvolutionCore.Initialize(Weight, Bias, (int)FilterSize.Volume, InputChannels, OutputChannels, random);

    /// <summary>E.g. <c>DenseConvolution 32->64 3x3/1</c> or <c>DenseConvolution 8->8 3x3/1 pad 1</c>.</summary>
    public override string ToString() => $"DenseConvolution {InputChannels}->{OutputChannels} {FilterSize}/{Stride}" + (Padding > 0 ? $" pad {Padding}" : "");
}
