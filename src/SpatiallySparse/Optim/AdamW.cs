using SpatiallySparse.Autograd;

namespace SpatiallySparse.Optim;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter), as PyTorch's AdamW: each step first shrinks the
/// weights by 1 - lr · weightDecay (0.01 by default), and the gradient, hence the moments, never sees the decay.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>
    /// Creates the optimiser: <paramref name="beta1"/> and <paramref name="beta2"/> in [0, 1),
    /// <paramref name="epsilon"/> &gt; 0 and <paramref name="weightDecay"/> &gt;= 0, all finite.
    /// </summary>
    public AdamW(IEnumerable<Parameter> parameters, LearningRateSchedule schedule, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0.01f)
        : base(parameters, schedule, beta1, beta2, epsilon, weightDecay, decoupled: true)
    {
    }

    /// <summary>Creates the optimiser with a constant learning rate (1e-3 by default); the rest as the schedule constructor's.</summary>
    public AdamW(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0.01f)
        : base(parameters, LearningRateSchedule.Constant(learningRate), beta1, beta2, epsilon, weightDecay, decoupled: true)
    {
    }

    /// <inheritdoc/>
    public override string Kind => "adamw";
}
