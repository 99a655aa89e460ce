using System.Diagnostics.CodeAnalysis;
using ILGPU;

namespace SpatiallySparse.Ilgpu.Kernels;

/// <summary>Leaky ReLU, one thread per element.</summary>
[ExcludeFromCodeCoverage(Justification = "Coverage instrumentation breaks ILGPU kernel compilation.")]
internal static class ActivationKernels
{
    public static void LeakyReluForward(Index1D i, ArrayView<float> x, ArrayView<float> y, float slope)
    {
        float v = x[i];
        y[i] = v > 0 ? v : slope * v;
    }

    public static void LeakyReluBackward(Index1D i, ArrayView<float> x, ArrayView<float> gradY, ArrayView<float> gradX, float slope)
    {
        float g = gradY[i];
        gradX[i] += x[i] > 0 ? g : g * slope;
    }
}
