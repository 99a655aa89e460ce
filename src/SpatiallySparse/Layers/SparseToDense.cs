using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Layers;

/// <summary>
/// Converts a sparse batch to a dense one, B x (C x volume), channel-major per sample (PyTorch's NCHW
/// flattened): active sites take their features, inactive ones the ground state. After DeepCNet's last
/// convolution the grid is 1x1, so this yields B x C for the softmax layer.
/// </summary>
public sealed class SparseToDense : Module<SparseTensor, DenseTensor>
{
    /// <summary>Converts <paramref name="input"/>.</summary>
    protected override DenseTensor ForwardCore(SparseTensor input, Tape tape)
    {
        ISparseBackend be = input.Backend;
        long width = input.Channels * input.SpatialSize.Volume;
        if (width > int.MaxValue)
            throw new ArgumentException($"A dense {input.SpatialSize} grid of {input.Channels} channels has {width} values per sample, too many.");
        FeatureMatrix dense = be.Allocate(input.BatchSize, (int)width);
        be.SparseToDense(input.Features, input.Ground, input.Grid, dense);
        DenseTensor y = tape.Own(DenseTensor.Create(dense));
        if (tape.IsRecording)
            tape.Record(Node.Of(input, y, tape));
        return y;
    }

    /// <summary>The conversion's backward step (pooled, so a step allocates none).</summary>
    private sealed class Node : PooledNode<Node>
    {
        private SparseTensor? _input;
        private DenseTensor? _y;
        private Tape? _tape;

        public static Node Of(SparseTensor input, DenseTensor y, Tape tape)
        {
            Node node = Rent();
            (node._input, node._y, node._tape) = (input, y, tape);
            return node;
        }

        public override void Backward()
        {
            SparseTensor input = _input!;
            if (_y!.Grad is not { } grad)
                return;
            ISparseBackend be = input.Backend;
            FeatureMatrix dGround = input.GroundIsZero ? _tape!.OwnScratch(be.Allocate(input.BatchSize, input.Channels)) : input.GroundGradOrCreate();
            be.SparseToDenseBackward(grad, input.Grid, input.GradOrCreate(), dGround);
        }

        protected override void Clear() => (_input, _y, _tape) = (null, null, null);
    }

    /// <summary><c>SparseToDense</c>.</summary>
    public override string ToString() => "SparseToDense";
}

/// <summary>Global average pooling over the active sites of each sample: B x C dense output.</summary>
public sealed class GlobalAveragePooling : Module<SparseTensor, DenseTensor>
{
    /// <summary>Pools <paramref name="input"/>.</summary>
    protected override DenseTensor ForwardCore(SparseTensor input, Tape tape)
    {
        ISparseBackend be = input.Backend;
        FeatureMatrix pooled = be.Allocate(input.BatchSize, input.Channels);
        be.MeanBySample(input.Features, input.Grid, pooled);
        DenseTensor y = tape.Own(DenseTensor.Create(pooled));
        tape.Record(() =>
        {
            if (y.Grad is not null)
                be.MeanBySampleBackward(y.Grad, input.Grid, input.GradOrCreate());
        });
        return y;
    }

    /// <summary><c>GlobalAveragePooling</c>.</summary>
    public override string ToString() => "GlobalAveragePooling";
}
