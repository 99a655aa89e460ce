using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Layers;

/// <summary>Shared shape logic of max and average pooling: window f, stride s, Graham's active-set rule.</summary>
public abstract class Pooling : SparseModule
{
    private protected Pooling(int dimension, int poolSize, int stride, bool includeGround)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(poolSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        PoolSize = SpatialSize.Cube(dimension, poolSize);
        Stride = SpatialSize.Cube(dimension, stride);
        IncludeGround = includeGround;
    }

    /// <summary>Window extent per dimension.</summary>
    public SpatialSize PoolSize { get; }

    /// <summary>Stride per dimension.</summary>
    public SpatialSize Stride { get; }

    /// <summary>
    /// True (Graham's valid semantics): inactive sites of a window hold the ground state and take part, so
    /// pooling equals dense pooling of the full grid. False (submanifold-style nets): only active sites count.
    /// </summary>
    public bool IncludeGround { get; }

    /// <inheritdoc/>
    protected override SparseTensor ForwardCore(SparseTensor input, Tape tape)
    {
        if (input.SpatialSize.Dimension != PoolSize.Dimension)
            throw new ArgumentException($"{this} is {PoolSize.Dimension}-dimensional but the input is {input.SpatialSize}.");
        (SparseGrid outGrid, RuleBook rules) = input.Metadata.LayerRules(RuleKind.Convolution, input.SpatialSize, PoolSize, Stride);
        ISparseBackend be = input.Backend;
        // Both are overwritten: every output row is a window's maximum or mean, the ground a copy.
        FeatureMatrix features = be.AllocateForOverwrite(outGrid.ActiveCount, input.Channels);
        FeatureMatrix ground = be.AllocateForOverwrite(input.BatchSize, input.Channels);
        be.Copy(input.Ground, ground);
        PoolForward(be, input, rules, outGrid, IncludeGround, features);
        SparseTensor y = tape.Own(SparseTensor.Create(input.Metadata, outGrid, features, ground, input.GroundIsZero));
        if (tape.IsRecording)
            tape.Record(Node.Of(this, input, y, rules, tape));
        return y;
    }

    private void Backward(SparseTensor input, SparseTensor y, RuleBook rules, Tape tape)
    {
        ISparseBackend be = input.Backend;
        // The output ground state is the input's: its gradient passes straight through.
        FeatureMatrix dGround = input.GroundIsZero ? tape.OwnScratch(be.Allocate(input.BatchSize, input.Channels)) : input.GroundGradOrCreate();
        if (y.GroundGrad is not null)
            be.Add(y.GroundGrad, dGround);
        if (y.Grad is null)
            return;
        // A first gradient needs no zeroing when every input row lies in exactly one window (2x2/2 pooling).
        bool assign = AssignsGradient && input.Grad is null && PoolSize.Equals(Stride) && rules.PairCount == rules.InputRows;
        FeatureMatrix gradInput = assign ? input.CreateGradForOverwrite() : input.GradOrCreate();
        PoolBackward(be, input, rules, y.Grid, IncludeGround, y, gradInput, dGround, assign);
    }

    /// <summary>The pooling's backward step (pooled, so a step allocates none).</summary>
    private sealed class Node : PooledNode<Node>
    {
        private Pooling? _layer;
        private SparseTensor? _input, _y;
        private RuleBook? _rules;
        private int _rulesGeneration;
        private Tape? _tape;

        public static Node Of(Pooling layer, SparseTensor input, SparseTensor y, RuleBook rules, Tape tape)
        {
            Node node = Rent();
            (node._layer, node._input, node._y, node._rules, node._rulesGeneration, node._tape) = (layer, input, y, rules, rules.Generation, tape);
            return node;
        }

        public override void Backward()
        {
            // The metadata may have been disposed (with another tape) and the rulebook recycled for another batch.
            _rules!.ThrowIfRecycled(_rulesGeneration);
            _layer!.Backward(_input!, _y!, _rules, _tape!);
        }

        protected override void Clear() => (_layer, _input, _y, _rules, _tape) = (null, null, null, null, null);
    }

    /// <inheritdoc/>
    public override SpatialSize OutputSpatialSize(SpatialSize inputSize) => ConvolutionRules.OutputSize(inputSize, PoolSize, Stride);

    private protected abstract void PoolForward(ISparseBackend be, SparseTensor x, RuleBook rules, SparseGrid outGrid, bool useGround, FeatureMatrix output);

    /// <summary>Whether <see cref="PoolBackward"/> can assign (not accumulate) a gradient whose input rows each lie in one window.</summary>
    private protected virtual bool AssignsGradient => false;

    private protected abstract void PoolBackward(ISparseBackend be, SparseTensor x, RuleBook rules, SparseGrid outGrid, bool useGround,
        SparseTensor y, FeatureMatrix gradInput, FeatureMatrix gradGround, bool assign);
}

/// <summary>Max pooling over f^d windows with stride s; see <see cref="Pooling.IncludeGround"/> for the two semantics.</summary>
public sealed class MaxPooling : Pooling
{
    /// <summary>Max pooling with a cubic window.</summary>
    public MaxPooling(int dimension, int poolSize, int stride, bool includeGround = true)
        : base(dimension, poolSize, stride, includeGround)
    {
    }

    private protected override void PoolForward(ISparseBackend be, SparseTensor x, RuleBook rules, SparseGrid outGrid, bool useGround, FeatureMatrix output) =>
        be.MaxPoolForward(x.Features, x.Ground, rules, outGrid, useGround, output);

    private protected override bool AssignsGradient => true;

    private protected override void PoolBackward(ISparseBackend be, SparseTensor x, RuleBook rules, SparseGrid outGrid, bool useGround,
        SparseTensor y, FeatureMatrix gradInput, FeatureMatrix gradGround, bool assign) =>
        be.MaxPoolBackward(x.Features, x.Ground, rules, outGrid, useGround, y.Features, y.Grad!, gradInput, gradGround, assign);

    /// <summary>E.g. <c>MaxPooling 2x2/2x2</c>.</summary>
    public override string ToString() => $"MaxPooling {PoolSize}/{Stride}";
}

/// <summary>Average pooling over f^d windows with stride s (divides by the window volume).</summary>
public sealed class AveragePooling : Pooling
{
    /// <summary>Average pooling with a cubic window.</summary>
    public AveragePooling(int dimension, int poolSize, int stride, bool includeGround = true)
        : base(dimension, poolSize, stride, includeGround)
    {
    }

    private protected override void PoolForward(ISparseBackend be, SparseTensor x, RuleBook rules, SparseGrid outGrid, bool useGround, FeatureMatrix output) =>
        be.AveragePoolForward(x.Features, x.Ground, rules, outGrid, useGround, output);

    private protected override void PoolBackward(ISparseBackend be, SparseTensor x, RuleBook rules, SparseGrid outGrid, bool useGround,
        SparseTensor y, FeatureMatrix gradInput, FeatureMatrix gradGround, bool assign) =>
        be.AveragePoolBackward(rules, outGrid, useGround, y.Grad!, gradInput, gradGround);

    /// <summary>E.g. <c>AveragePooling 2x2/2x2</c>.</summary>
    public override string ToString() => $"AveragePooling {PoolSize}/{Stride}";
}
