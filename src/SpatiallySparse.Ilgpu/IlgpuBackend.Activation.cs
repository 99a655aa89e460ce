using ILGPU;
using ILGPU.Runtime;
using SpatiallySparse.Backends;
using SpatiallySparse.Ilgpu.Kernels;

namespace SpatiallySparse.Ilgpu;

public sealed partial class IlgpuBackend
{
    private ActivationLaunchers? _activation;

    private ActivationLaunchers Activation => _activation ??= new ActivationLaunchers(_accelerator);

    /// <inheritdoc/>
    public void LeakyReluForward(FeatureMatrix x, FeatureMatrix y, float slope)
    {
        CheckSameShape(x, y, nameof(LeakyReluForward));
        if (x.Length > 0)
            Activation.Forward((int)x.Length, Dev(x), Dev(y), slope);
    }

    /// <inheritdoc/>
    public void LeakyReluBackward(FeatureMatrix x, FeatureMatrix gradY, FeatureMatrix gradX, float slope)
    {
        CheckSameShape(x, gradY, nameof(LeakyReluBackward));
        CheckSameShape(x, gradX, nameof(LeakyReluBackward));
        if (x.Length > 0)
            Activation.Backward((int)x.Length, Dev(x), Dev(gradY), Dev(gradX), slope);
    }

    private sealed class ActivationLaunchers(Accelerator a)
    {
        public Action<Index1D, ArrayView<float>, ArrayView<float>, float> Forward { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float>(ActivationKernels.LeakyReluForward);

        public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float> Backward { get; } =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(ActivationKernels.LeakyReluBackward);
    }
}
