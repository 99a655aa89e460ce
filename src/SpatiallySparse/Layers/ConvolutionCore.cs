using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Layers;

/// <summary>How a convolution treats the ground state of its input.</summary>
internal enum GroundRule
{
    /// <summary>
    /// Exact (valid and strided convolutions): inactive inputs hold the ground state g, so
    /// y = G + sum over active pairs of W_t (x - g), with G = b + g · sum_t W_t also the output ground state.
    /// </summary>
    Exact,

    /// <summary>Submanifold: active sites see only active neighbours; the output ground state is b + g · sum_t W_t.</summary>
    ActiveOnly,

    /// <summary>Deconvolution: inactive inputs contribute nothing; the output ground state is the bias.</summary>
    Zero,
}

/// <summary>A layer that can apply a following leaky ReLU itself, in its last pass over its output (<see cref="Sequential"/> fuses them).</summary>
internal interface IFusesLeakyRelu
{
    /// <summary>The layer's forward with LeakyRelu(<paramref name="leakySlope"/>) applied to its output (null: none).</summary>
    SparseTensor Forward(SparseTensor input, Tape tape, float? leakySlope);
}

/// <summary>The gather-GEMM-scatter convolution shared by the convolution layers, forward and backward.</summary>
internal static class ConvolutionCore
{
    /// <summary>
    /// The convolution; with <paramref name="leakySlope"/>, a leaky ReLU of the output fused into the kernel's
    /// last pass. Its backward then turns the output gradient into the pre-activation one in place, reading the
    /// mask from the output (same sign as the pre-activation for slopes &gt;= 0).
    /// </summary>
    public static SparseTensor Forward(SparseTensor x, Parameter weight, Parameter? bias, RuleBook rules, SparseGrid outGrid,
        GroundRule groundRule, Tape tape, float? leakySlope)
    {
        ISparseBackend be = x.Backend;
        int cin = x.Channels, cout = weight.Columns, batch = x.BatchSize;
        bool useGround = groundRule != GroundRule.Zero && !x.GroundIsZero;
        FeatureMatrix? weightSum = null;
        FeatureMatrix ground = be.Allocate(batch, cout);
        if (useGround)
        {
            weightSum = tape.OwnScratch(be.Allocate(cin, cout));
            be.SumTaps(weight.Value, weightSum);
            be.MatMulAdd(x.Ground, false, weightSum, false, ground);
        }
        if (bias is not null)
            be.AddRowVector(bias.Value, ground);

        FeatureMatrix input = x.Features;
        if (useGround && groundRule == GroundRule.Exact)
        {
            // Centre the inputs on the ground state so the missing taps of partial windows are accounted for.
            input = tape.OwnScratch(be.AllocateForOverwrite(x.ActiveCount, cin));
            be.Copy(x.Features, input);
            be.AddBySample(x.Ground, x.Grid, input, -1f);
        }
        // Active outputs start from the ground state (exact rule: the inactive taps hold it) or from the bias.
        FeatureMatrix? start = ground;
        if (groundRule != GroundRule.Exact)
        {
            start = bias is null ? null : tape.OwnScratch(be.Allocate(batch, cout));
            if (start is not null)
                be.AddRowVector(bias!.Value, start);
        }
        FeatureMatrix features = be.AllocateForOverwrite(outGrid.ActiveCount, cout);
        FusedConvolution.ForwardFrom(be, start, outGrid, input, weight.Value, rules, features, leakySlope);
        if (leakySlope is float slope)
            be.LeakyReluForward(ground, ground, slope);
        SparseTensor y = tape.Own(SparseTensor.Create(x.Metadata, outGrid, features, ground, groundIsZero: !useGround && bias is null));
        if (tape.IsRecording)
            tape.Record(Node.Of(x, y, input, weight, bias, weightSum, rules, groundRule, tape, leakySlope));
        return y;
    }

    /// <summary>The convolution's backward step (a pooled node rather than a closure, so a step allocates none).</summary>
    private sealed class Node : PooledNode<Node>
    {
        private SparseTensor? _x, _y;
        private FeatureMatrix? _input, _weightSum;
        private Parameter? _weight, _bias;
        private RuleBook? _rules;
        private int _rulesGeneration;
        private GroundRule _groundRule;
        private Tape? _tape;
        private float? _leakySlope;

        public static Node Of(SparseTensor x, SparseTensor y, FeatureMatrix input, Parameter weight, Parameter? bias, FeatureMatrix? weightSum,
            RuleBook rules, GroundRule groundRule, Tape tape, float? leakySlope)
        {
            Node node = Rent();
            (node._x, node._y, node._input, node._weight, node._bias, node._weightSum) = (x, y, input, weight, bias, weightSum);
            (node._rules, node._rulesGeneration, node._groundRule, node._tape, node._leakySlope) = (rules, rules.Generation, groundRule, tape, leakySlope);
            return node;
        }

        public override void Backward()
        {
            // The metadata may have been disposed (with another tape) and the rulebook recycled for another batch.
            _rules!.ThrowIfRecycled(_rulesGeneration);
            if (_leakySlope is float s)
                UnfuseGradient(_y!, s);
            ConvolutionCore.Backward(_x!, _y!, _input!, _weight!, _bias, _weightSum, _rules!, _groundRule, _tape!);
        }

        protected override void Clear() => (_x, _y, _input, _weight, _bias, _weightSum, _rules, _tape) = (null, null, null, null, null, null, null, null);
    }

    private static void UnfuseGradient(SparseTensor y, float slope)
    {
        if (y.Grad is not null)
            FusedConvolution.GradientInPlace(y.Backend, y.Features, y.Grad, slope);
        if (y.GroundGrad is not null)
            FusedConvolution.GradientInPlace(y.Backend, y.Ground, y.GroundGrad, slope);
    }

    private static void Backward(SparseTensor x, SparseTensor y, FeatureMatrix input, Parameter weight, Parameter? bias,
        FeatureMatrix? weightSum, RuleBook rules, GroundRule groundRule, Tape tape)
    {
        if (y.Grad is null && y.GroundGrad is null)
            return;
        ISparseBackend be = x.Backend;
        int batch = x.BatchSize;
        // Gradient of the ground output G; under the exact rule every active output shares G as well.
        FeatureMatrix dG = tape.OwnScratch(be.Allocate(batch, weight.Columns));
        if (y.GroundGrad is not null)
            be.Copy(y.GroundGrad, dG);
        bool exact = groundRule == GroundRule.Exact;
        if (exact && y.Grad is not null)
            be.SumBySample(y.Grad, y.Grid, dG);
        if (bias is not null)
        {
            be.SumRows(dG, bias.Grad);
            if (!exact && y.Grad is not null)
                be.SumRows(y.Grad, bias.Grad);
        }
        if (weightSum is not null)
        {
            FeatureMatrix dWeightSum = tape.OwnScratch(be.Allocate(weight.Rows / rules.FilterVolume, weight.Columns));
            be.MatMulAdd(x.Ground, true, dG, false, dWeightSum);
            be.BroadcastTapsAdd(dWeightSum, weight.Grad);
            if (x.NeedsGradient)
                be.MatMulAdd(dG, false, weightSum, true, x.GroundGradOrCreate());
        }
        if (y.Grad is null)
            return;
        if (!x.NeedsGradient)
        {
            // The input is a batch nobody differentiates: the weight gradient only.
            be.ConvolutionBackward(input, y.Grad, weight.Value, rules, null, weight.Grad);
            return;
        }
        bool centred = !ReferenceEquals(input, x.Features);
        // The centred input's gradient also feeds the ground state's, so it needs a buffer of its own unless
        // nothing has reached x's gradient yet (the usual chain): then x's gradient holds exactly this term.
        bool separate = centred && x.Grad is not null;
        bool fresh = separate || x.Grad is null;
        FeatureMatrix dInput = separate ? tape.OwnScratch(be.AllocateForOverwrite(x.ActiveCount, x.Channels))
            : x.Grad ?? x.CreateGradForOverwrite();
        be.ConvolutionBackward(input, y.Grad, weight.Value, rules, dInput, weight.Grad, overwriteGradInput: fresh);
        if (separate)
            be.Add(dInput, x.Grad!);
        if (centred)
            be.SumBySample(dInput, x.Grid, x.GroundGradOrCreate(), -1f);
    }

    public static void Initialize(Parameter weight, Parameter? bias, int taps, int cin, int cout, Random random)
    {
        Initialization.GlorotUniform(weight, taps * cin, taps * cout, random);
        if (bias is not null)
            Initialization.Constant(bias, 0f);
    }

    public static void CheckInput(SparseModule layer, SparseTensor x, int channels, int dimension)
    {
        if (x.Channels != channels)
            throw new ArgumentException($"{layer} expects {channels} input channels, got {x.Channels}.");
        if (x.SpatialSize.Dimension != dimension)
            throw new ArgumentException($"{layer} is {dimension}-dimensional but the input is {x.SpatialSize.Dimension}-dimensional ({x.SpatialSize}).");
    }
}
