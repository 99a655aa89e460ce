using SpatiallySparse.Backends.Cpu.Simd;

namespace SpatiallySparse.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public unsafe void AdamStep(FeatureMatrix value, FeatureMatrix grad, FeatureMatrix m, FeatureMatrix v, float learningRate,
        float beta1, float beta2, float epsilon, float weightDecay, bool decoupled, float bias1, float bias2)
    {
        CheckSameShape(value, grad, nameof(AdamStep));
        CheckSameShape(value, m, nameof(AdamStep));
        CheckSameShape(value, v, nameof(AdamStep));
        AdamConstants c = AdamConstants.Create(learningRate, beta1, beta2, epsilon, weightDecay, decoupled, bias1, bias2);
        Span<float> ws = Host(value), gs = Host(grad), ms = Host(m), vs = Host(v);
        // One pass, single-threaded as SgdStep: parameters are small next to the convolutions.
        fixed (float* pw = ws, pg = gs, pm = ms, pv = vs)
            AdamUpdate.Run(pw, pg, pm, pv, (nuint)ws.Length, c, Simd);
    }

    /// <inheritdoc/>
    public double SumOfSquares(FeatureMatrix matrix)
    {
        Span<float> x = Host(matrix);
        double sum = 0;
        foreach (float xi in x)
            sum += (double)xi * xi;
        return sum;
    }
}
