using ILGPU;
using ILGPU.Runtime;
using SpatiallySparse.Backends;
using SpatiallySparse.Ilgpu.Kernels;

namespace SpatiallySparse.Ilgpu;

public sealed partial class IlgpuBackend
{
    // Elements per thread of the sum of squares: few enough partial sums to copy back, enough threads to fill the device.
    private const int SquaresChunk = 4096;

    private OptimLaunchers? _optim;

    private OptimLaunchers Optim => _optim ??= new OptimLaunchers(_accelerator);

    /// <inheritdoc/>
    public void AdamStep(FeatureMatrix value, FeatureMatrix grad, FeatureMatrix m, FeatureMatrix v, float learningRate,
        float beta1, float beta2, float epsilon, float weightDecay, bool decoupled, float bias1, float bias2)
    {
        CheckSameShape(value, grad, nameof(AdamStep));
        CheckSameShape(value, m, nameof(AdamStep));
        CheckSameShape(value, v, nameof(AdamStep));
        if (!(bias1 > 0f && bias1 <= 1f))
            throw new ArgumentOutOfRangeException(nameof(bias1), $"Bias correction 1 - beta1^t must be in (0, 1], got {bias1}.");
        if (!(bias2 > 0f && bias2 <= 1f))
            throw new ArgumentOutOfRangeException(nameof(bias2), $"Bias correction 1 - beta2^t must be in (0, 1], got {bias2}.");
        // The same derivation, in double then rounded, as the CPU backend's AdamConstants: the same constants.
        float keep = decoupled ? (float)(1.0 - (double)learningRate * weightDecay) : 1f;
        AdamKernelConstants c = new(keep, decoupled ? 0f : weightDecay, beta1, beta2, 1f - beta1, 1f - beta2,
            (float)(learningRate / (double)bias1), (float)Math.Sqrt(bias2), epsilon);
        if (value.Length > 0)
            Optim.Adam((int)value.Length, Dev(value), Dev(grad), Dev(m), Dev(v), c);
    }

    /// <inheritdoc/>
    public double SumOfSquares(FeatureMatrix matrix)
    {
        ArrayView<float> x = Dev(matrix);
        if (x.Length == 0)
            return 0;
        int chunks = (int)((x.Length + SquaresChunk - 1) / SquaresChunk);
        ArrayView<double> partial = _scratch.Get<double>("squares", chunks);
        Optim.SumOfSquares(chunks, x, partial, SquaresChunk);
        double[] host = new double[chunks];
        _accelerator.Synchronize();
        partial.CopyToCPU(host);
        // Summed in chunk order: the same total on every run.
        double sum = 0;
        foreach (double s in host)
            sum += s;
        return sum;
    }

    private sealed class OptimLaunchers(Accelerator a)
    {
        public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamKernelConstants> Adam { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamKernelConstants>(OptimKernels.AdamStep);

        public Action<Index1D, ArrayView<float>, ArrayView<double>, int> SumOfSquares { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<double>, int>(OptimKernels.SumOfSquares);
    }
}
