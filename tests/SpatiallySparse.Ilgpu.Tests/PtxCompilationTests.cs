using System.Reflection;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using NUnit.Framework;
using SpatiallySparse.Ilgpu.Kernels;

namespace SpatiallySparse.Ilgpu.Tests;

/// <summary>
/// Compiles every kernel to PTX for the H100's architecture without a GPU: ILGPU's CPU emulator runs kernels
/// as .NET code, so it would not catch constructs the PTX backend rejects.
/// </summary>
[TestFixture]
public sealed class PtxCompilationTests
{
    public static IEnumerable<MethodInfo> Kernels() =>
        new[] { typeof(ConvolutionKernels), typeof(ElementwiseKernels), typeof(ActivationKernels), typeof(PoolingKernels), typeof(BatchNormKernels), typeof(OutputKernels), typeof(OptimKernels) }
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.ReturnType == typeof(void));

    [TestCaseSource(nameof(Kernels))]
    public void CompilesToPtxForSm90(MethodInfo kernel)
    {
        using Context context = Context.Create(builder => builder.Cuda().EnableAlgorithms());
        using PTXBackend backend = new(context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_78, null);
        EntryPointDescription entry = kernel.GetParameters()[0].ParameterType == typeof(Index1D)
            ? Implicit(kernel)
            : EntryPointDescription.FromExplicitlyGroupedKernel(kernel);
        CompiledKernel compiled = backend.Compile(entry, KernelSpecialization.Empty);
        string ptx = ((PTXCompiledKernel)compiled).PTXAssembly;
        Assert.That(ptx, Does.Contain(".entry"));
        if (kernel.Name is nameof(ConvolutionKernels.GatherGemmScatter) or nameof(ConvolutionKernels.WeightGradientPartial))
            Assert.That(ptx, Does.Contain(".shared").And.Contain("bar.sync"), "tiled kernels stage tiles in shared memory between barriers");
    }

    private static EntryPointDescription Implicit(MethodInfo kernel)
    {
        MethodInfo? factory = typeof(EntryPointDescription).GetMethod("FromImplicitlyGroupedKernel", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static);
        Assume.That(factory, Is.Not.Null, "ILGPU exposes no implicitly grouped entry point factory");
        return (EntryPointDescription)factory!.Invoke(null, [kernel])!;
    }
}
