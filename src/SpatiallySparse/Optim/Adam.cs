using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba) with PyTorch's semantics and defaults: betas 0.9 / 0.999, epsilon 1e-8 added to the
/// bias-corrected root of the second moment, and L2 weight decay (0 by default) added to the gradient. The moments
/// live on each parameter's backend, owned by this optimiser: dispose it to free them.
/// </summary>
/// <example>
/// A training step with Adam on loader batches (from <c>samples/Demo</c>).
/// <code language="csharp">
/// using Adam adam = new(net.Parameters(), learningRate: 3e-3f);
/// using Tape tape = new();                       // one tape, reset after every step
/// int step = 0;
/// foreach (SparseBatch batch in loader.Epoch(0))
/// {
///     using (batch)                               // the batch owns its input tensor and geometry
///     {
///         DenseTensor logits = net.Forward(batch.Tensor, tape);
///         float loss = SoftmaxCrossEntropy.Compute(logits, batch.Labels!, tape, predictions: []);
///         adam.ZeroGrad();
///         tape.Backward();
///         adam.Step();
///         tape.Reset();                           // frees the step's tensors (the batch goes next)
///         if (++step % 20 == 0)
///             Console.WriteLine($"step {step,4}  loss {loss:0.0000}");
///     }
///     if (step == steps)
///         break;
/// }
/// </code>
/// </example>
public class Adam : Optimizer
{
    private readonly FeatureMatrix?[] _first;
    private readonly FeatureMatrix?[] _second;
    private readonly bool _decoupled;

    /// <summary>
    /// Creates the optimiser: <paramref name="beta1"/> and <paramref name="beta2"/> in [0, 1),
    /// <paramref name="epsilon"/> &gt; 0 and <paramref name="weightDecay"/> &gt;= 0, all finite.
    /// </summary>
    public Adam(IEnumerable<Parameter> parameters, LearningRateSchedule schedule, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f)
        : this(parameters, schedule, beta1, beta2, epsilon, weightDecay, decoupled: false)
    {
    }

    /// <summary>Creates the optimiser with a constant learning rate (1e-3 by default); the rest as the schedule constructor's.</summary>
    public Adam(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f)
        : this(parameters, LearningRateSchedule.Constant(learningRate), beta1, beta2, epsilon, weightDecay, decoupled: false)
    {
    }

    /// <summary>For <see cref="AdamW"/>: <paramref name="decoupled"/> shrinks the weights instead of adding L2 to the gradient.</summary>
    private protected Adam(IEnumerable<Parameter> parameters, LearningRateSchedule schedule, float beta1, float beta2,
        float epsilon, float weightDecay, bool decoupled)
        : base(parameters, schedule)
    {
        CheckBeta(beta1, nameof(beta1));
        CheckBeta(beta2, nameof(beta2));
        if (!(epsilon > 0f) || !float.IsFinite(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"Epsilon must be positive and finite, got {epsilon}.");
        if (!(weightDecay >= 0f) || !float.IsFinite(weightDecay))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Weight decay must be non-negative and finite, got {weightDecay}.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        _decoupled = decoupled;
        _first = new FeatureMatrix?[Parameters.Count];
        _second = new FeatureMatrix?[Parameters.Count];
    }

    /// <summary>Decay of the first moment (mean of the gradients).</summary>
    public float Beta1 { get; }

    /// <summary>Decay of the second moment (mean of the squared gradients).</summary>
    public float Beta2 { get; }

    /// <summary>Added to the bias-corrected root of the second moment, for stability.</summary>
    public float Epsilon { get; }

    /// <summary>Weight decay: L2 added to the gradient for Adam, decoupled for <see cref="AdamW"/>.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    public override string Kind => "adam";

    /// <inheritdoc/>
    public override void Step()
    {
        ThrowIfInAnotherThreadsStep();
        float lr = LearningRate;
        // The bias corrections of step t = StepCount + 1, in double so late steps do not round to 0 early.
        long t = StepCount + 1;
        float bias1 = (float)(1 - Math.Pow(Beta1, t));
        float bias2 = (float)(1 - Math.Pow(Beta2, t));
        for (int i = 0; i < Parameters.Count; i++)
        {
            Parameter p = Parameters[i];
            (FeatureMatrix m, FeatureMatrix v) = Moments(i);
            p.Backend.AdamStep(p.Value, p.Grad, m, v, lr, Beta1, Beta2, Epsilon, WeightDecay, _decoupled, bias1, bias2);
        }
        StepCount++;
    }

    /// <summary>Buffers <c>m.i</c> and <c>v.i</c> (first and second moments of parameter i; zeros before the first step).</summary>
    public override OptimizerState GetState()
    {
        Dictionary<string, float[]> buffers = [];
        for (int i = 0; i < Parameters.Count; i++)
        {
            int n = Parameters[i].Rows * Parameters[i].Columns;
            buffers[$"m.{i}"] = _first[i]?.ToArray() ?? new float[n];
            buffers[$"v.{i}"] = _second[i]?.ToArray() ?? new float[n];
        }
        return new OptimizerState(Kind, StepCount, buffers, new Dictionary<string, double>());
    }

    /// <summary>Restores <c>m.i</c>, <c>v.i</c> and the step count; nothing changes unless every buffer fits.</summary>
    public override void LoadState(OptimizerState state)
    {
        CheckKindAndStep(state);
        float[][] first = new float[Parameters.Count][], second = new float[Parameters.Count][];
        for (int i = 0; i < Parameters.Count; i++)
        {
            first[i] = RequireBuffer(state, $"m.{i}", i);
            second[i] = RequireBuffer(state, $"v.{i}", i);
        }
        for (int i = 0; i < Parameters.Count; i++)
        {
            (FeatureMatrix m, FeatureMatrix v) = Moments(i);
            Parameters[i].Backend.Upload(first[i], m);
            Parameters[i].Backend.Upload(second[i], v);
        }
        StepCount = state.StepCount;
    }

    /// <summary>E.g. <c>adam (lr 0.001, betas 0.9/0.999, eps 1E-08, weight decay 0)</c>.</summary>
    public override string ToString() =>
        $"{Kind} (lr {LearningRate}, betas {Beta1}/{Beta2}, eps {Epsilon}, weight decay {WeightDecay})";

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (!disposing)
            return;
        for (int i = 0; i < _first.Length; i++)
        {
            _first[i]?.Dispose();
            _second[i]?.Dispose();
            _first[i] = _second[i] = null;
        }
    }

    /// <summary>Parameter i's moments, allocated as zeros on its backend on first use.</summary>
    private (FeatureMatrix First, FeatureMatrix Second) Moments(int i)
    {
        Parameter p = Parameters[i];
        _first[i] ??= Zeros(p);
        _second[i] ??= Zeros(p);
        return (_first[i]!, _second[i]!);
    }

    private static FeatureMatrix Zeros(Parameter p)
    {
        FeatureMatrix m = p.Backend.Allocate(p.Rows, p.Columns);
        p.Backend.Fill(m, 0f);
        return m;
    }

    private static void CheckBeta(float beta, string name)
    {
        if (!(beta >= 0f && beta < 1f))
            throw new ArgumentOutOfRangeException(name, $"{name} must be in [0, 1), got {beta}.");
    }
}
