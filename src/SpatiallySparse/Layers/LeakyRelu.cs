using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Layers;

/// <summary>Leaky ReLU, y = x &gt; 0 ? x : slope x, on active sites and ground states (slope 0: ReLU; 1/3: "very leaky").</summary>
public sealed class LeakyRelu : SparseModule
{
    /// <summary>Creates the activation.</summary>
    public LeakyRelu(float slope = 0f)
    {
        if (!float.IsFinite(slope))
            throw new ArgumentOutOfRangeException(nameof(slope), $"Slope must be finite, got {slope}.");
        Slope = slope;
    }

    /// <summary>Slope for negative inputs.</summary>
    public float Slope { get; }

    /// <inheritdoc/>
    protected override SparseTensor ForwardCore(SparseTensor input, Tape tape)
    {
        ISparseBackend be = input.Backend;
        FeatureMatrix features = be.AllocateForOverwrite(input.ActiveCount, input.Channels);
        FeatureMatrix ground = be.AllocateForOverwrite(input.BatchSize, input.Channels);
        be.LeakyReluForward(input.Features, features, Slope);
        be.LeakyReluForward(input.Ground, ground, Slope);
        SparseTensor y = tape.Own(SparseTensor.Create(input.Metadata, input.Grid, features, ground, input.GroundIsZero));
        if (tape.IsRecording)
            tape.Record(Node.Of(input, y, Slope));
        return y;
    }

    /// <summary>The activation's backward step (pooled, so a step allocates none).</summary>
    private sealed class Node : PooledNode<Node>
    {
        private SparseTensor? _input, _y;
        private float _slope;

        public static Node Of(SparseTensor input, SparseTensor y, float slope)
        {
            Node node = Rent();
            (node._input, node._y, node._slope) = (input, y, slope);
            return node;
        }

        public override void Backward()
        {
            SparseTensor input = _input!, y = _y!;
            ISparseBackend be = input.Backend;
            if (y.Grad is not null)
                be.LeakyReluBackward(input.Features, y.Grad, input.GradOrCreate(), _slope);
            if (y.GroundGrad is not null && !input.GroundIsZero)
                be.LeakyReluBackward(input.Ground, y.GroundGrad, input.GroundGradOrCreate(), _slope);
        }

        protected override void Clear() => (_input, _y) = (null, null);
    }

    /// <summary>E.g. <c>LeakyRelu(0.333)</c>.</summary>
    public override string ToString() => $"LeakyRelu({Slope:0.###})";
}
