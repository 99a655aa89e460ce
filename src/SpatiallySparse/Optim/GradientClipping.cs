using SpatiallySparse.Autograd;

namespace SpatiallySparse.Optim;

/// <summary>Gradient clipping, run between the backward pass and the optimiser step.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by maxNorm / (norm + 1e-6) when the global L2 norm of all of them together exceeds
    /// <paramref name="maxNorm"/>, as torch.nn.utils.clip_grad_norm_; gradients at or below it are left untouched
    /// (bit for bit). The norm is summed in double on each parameter's backend. Returns the norm before clipping;
    /// a non-finite norm (a NaN or infinite gradient) is returned without scaling, so the caller can skip the step.
    /// </summary>
    public static double ClipByGlobalNorm(IEnumerable<Parameter> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0f) || !float.IsFinite(maxNorm))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), $"The maximum norm must be positive and finite, got {maxNorm}.");
        Parameter[] all = [.. parameters];
        double sum = 0;
        for (int i = 0; i < all.Length; i++)
        {
            Parameter p = all[i] ?? throw new ArgumentException($"Parameter {i} is null.", nameof(parameters));
            sum += p.Backend.SumOfSquares(p.Grad);
        }
        double norm = Math.Sqrt(sum);
        if (!double.IsFinite(norm) || norm <= maxNorm)
            return norm;
        // PyTorch's 1e-6 keeps the factor finite for tiny norms; here the norm already exceeds maxNorm > 0.
        float factor = (float)(maxNorm / (norm + 1e-6));
        foreach (Parameter p in all)
            p.Backend.Scale(p.Grad, factor);
        return norm;
    }
}
