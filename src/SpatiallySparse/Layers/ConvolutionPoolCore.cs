using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Layers;

/// <summary>
/// A network's first block, convolution + leaky ReLU + max pooling, as one op (<see cref="Sequential"/> fuses
/// them): with few input channels on a large grid the convolution's output is by far the largest matrix of the
/// step, and writing it, reading it to pool, writing its gradient and reading that again cost more than
/// computing it. The fused op computes each pooling window's convolution rows in registers, stores only the
/// pooled rows and, for backward, what the backend keeps (the CPU: each window's gathered inputs, a third of the
/// convolution's output for 3x3 on one channel), from which backward recomputes the rows. Same values and, up to
/// summation order, gradients.
/// </summary>
internal static class ConvolutionPoolCore
{
    /// <summary>Above this many input channels the kept windows and the recomputed arithmetic outweigh the memory the fusion saves.</summary>
    public const int MaxInputChannels = 4;

    /// <summary>Whether <paramref name="pool"/> after <paramref name="conv"/> can run fused: few channels, windows that tile the grid.</summary>
    public static bool Fits(Convolution conv, MaxPooling pool) =>
        conv.InputChannels <= MaxInputChannels && pool.PoolSize.Equals(pool.Stride) && pool.PoolSize.Dimension == conv.FilterSize.Dimension;

    /// <summary>
    /// The fused forward on rules <paramref name="convolution"/> of an input whose ground state is zero and which
    /// needs no gradient (a network's input): every convolution row, and the convolution's ground state, start
    /// from the bias.
    /// </summary>
    public static SparseTensor Forward(SparseTensor x, Convolution conv, (SparseGrid Output, RuleBook Rules) convolution, float slope, MaxPooling pool,
        Tape tape)
    {
        ISparseBackend be = x.Backend;
        (SparseGrid poolGrid, RuleBook poolRules) = x.Metadata.LayerRules(RuleKind.Convolution, convolution.Output.Size, pool.PoolSize, pool.Stride);
        ConvolutionPoolShape shape = new(convolution.Rules, convolution.Output, poolRules, poolGrid, pool.IncludeGround, slope);
        int batch = x.BatchSize, cout = conv.OutputChannels;
        FeatureMatrix start = tape.OwnScratch(be.Allocate(batch, cout));
        if (conv.Bias is not null)
            be.AddRowVector(conv.Bias.Value, start);
        FeatureMatrix ground = be.AllocateForOverwrite(batch, cout);
        be.LeakyReluForward(start, ground, slope);
        FeatureMatrix features = be.AllocateForOverwrite(poolGrid.ActiveCount, cout);
        FeatureMatrix? saved = FusedConvolutionPool.Forward(be, x.Features, conv.Weight.Value, start, ground, shape, features, keepForBackward: tape.IsRecording);
        if (saved is not null)
            tape.OwnScratch(saved);
        // The pooled ground state is the convolution's (pooling passes it through).
        SparseTensor y = tape.Own(SparseTensor.Create(x.Metadata, poolGrid, features, ground, groundIsZero: conv.Bias is null));
        if (saved is not null)
            tape.Record(Node.Of(x, y, conv, start, saved, shape, tape));
        else if (tape.IsRecording)
            throw new InvalidOperationException($"{be.Name} kept nothing for the backward of the fused convolution and pooling.");
        return y;
    }

    /// <summary>The fused block's backward step (a pooled node rather than a closure, so a step allocates none).</summary>
    private sealed class Node : PooledNode<Node>
    {
        private SparseTensor? _x, _y;
        private Convolution? _conv;
        private FeatureMatrix? _start, _saved;
        private ConvolutionPoolShape _shape;
        private int _convolutionGeneration, _poolGeneration;
        private Tape? _tape;

        public static Node Of(SparseTensor x, SparseTensor y, Convolution conv, FeatureMatrix start, FeatureMatrix saved, in ConvolutionPoolShape shape,
            Tape tape)
        {
            Node node = Rent();
            (node._x, node._y, node._conv, node._start, node._saved, node._shape, node._tape) = (x, y, conv, start, saved, shape, tape);
            (node._convolutionGeneration, node._poolGeneration) = (shape.ConvolutionRules.Generation, shape.PoolRules.Generation);
            return node;
        }

        public override void Backward()
        {
            // The metadata may have been disposed (with another tape) and the rulebooks recycled for another batch.
            _shape.ConvolutionRules.ThrowIfRecycled(_convolutionGeneration);
            _shape.PoolRules.ThrowIfRecycled(_poolGeneration);
            ConvolutionPoolCore.Backward(_x!, _y!, _conv!, _start!, _saved!, _shape, _tape!);
        }

        protected override void Clear() => (_x, _y, _conv, _start, _saved, _shape, _tape) = (null, null, null, null, null, default, null);
    }

    private static void Backward(SparseTensor x, SparseTensor y, Convolution conv, FeatureMatrix start, FeatureMatrix saved, ConvolutionPoolShape shape, Tape tape)
    {
        if (y.Grad is null && y.GroundGrad is null)
            return;
        ISparseBackend be = x.Backend;
        // Gradients of the activated ground state (passed through by pooling, plus the windows it won) and of the
        // start, which every active convolution row adds (the exact ground rule with a zero input ground state).
        FeatureMatrix dGround = tape.OwnScratch(be.Allocate(x.BatchSize, conv.OutputChannels));
        FeatureMatrix dStart = tape.OwnScratch(be.Allocate(x.BatchSize, conv.OutputChannels));
        if (y.GroundGrad is not null)
            be.Add(y.GroundGrad, dGround);
        if (y.Grad is not null)
            FusedConvolutionPool.Backward(be, x.Features, saved, conv.Weight.Value, start, y.Ground, shape, y.Features, y.Grad, conv.Weight.Grad, dStart, dGround);
        FusedConvolution.GradientInPlace(be, y.Ground, dGround, shape.LeakySlope);
        if (conv.Bias is not null)
        {
            be.SumRows(dGround, conv.Bias.Grad);
            be.SumRows(dStart, conv.Bias.Grad);
        }
    }
}
