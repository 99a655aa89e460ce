using NUnit.Framework;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Ilgpu.Tests.Conformance;

namespace SpatiallySparse.Ilgpu.Tests;

/// <summary>
/// One conformance suite for every backend: each op, forward and backward, on random 2D and 3D geometry with
/// odd channel counts, compared with <see cref="CpuBackend"/>. Concrete fixtures choose the backend and the sizes.
/// </summary>
public abstract class BackendConformanceTests
{
    private ISparseBackend? _backend;
    private ConformanceCases? _cases;

    /// <summary>Every case name (building the table touches no device).</summary>
    public static IEnumerable<string> CaseNames()
    {
        using ConformanceCases cases = new(CpuBackend.Shared, ConformanceSizes.Tiny);
        return cases.Names.ToArray();
    }

    /// <summary>The backend under test.</summary>
    protected abstract ISparseBackend CreateBackend();

    /// <summary>The problem sizes.</summary>
    protected abstract ConformanceSizes Sizes { get; }

    [OneTimeSetUp]
    public void CreateFixture()
    {
        _backend = CreateBackend();
        _cases = new ConformanceCases(_backend, Sizes);
    }

    [OneTimeTearDown]
    public void DisposeFixture()
    {
        _cases?.Dispose();
        _backend?.Dispose();
    }

    [TestCaseSource(nameof(CaseNames))]
    public void MatchesTheCpuBackendIn2D(string op) => Check(op, 2);

    [TestCaseSource(nameof(CaseNames))]
    public void MatchesTheCpuBackendIn3D(string op) => Check(op, 3);

    [Test]
    public void CaseSeedsAreFixedAcrossProcesses()
    {
        // FNV-1a reference values: a failing case replays with the same geometry in any process.
        Assert.That(ConformanceCases.StableSeed("a"), Is.EqualTo(1678518572));
        Assert.That(ConformanceCases.StableSeed("Convolution/2"), Is.Not.EqualTo(ConformanceCases.StableSeed("Convolution/3")));
    }

    private void Check(string op, int dimension)
    {
        double error = _cases!.Run(op, dimension);
        TestContext.Out.WriteLine($"{op} {dimension}D: relative error {error:G3}");
        Assert.That(error, Is.LessThanOrEqualTo(_cases.Tolerance), $"{op} ({dimension}D) differs from the CPU backend by {error:G3} (relative).");
    }
}

/// <summary>The suite on ILGPU's CPU emulator at tiny sizes (it is about 1000x slower than the SIMD backend).</summary>
[TestFixture]
public sealed class IlgpuCpuEmulatorConformanceTests : BackendConformanceTests
{
    protected override ConformanceSizes Sizes => ConformanceSizes.Tiny;

    protected override ISparseBackend CreateBackend() => IlgpuBackend.CreateCpuEmulator();
}

/// <summary>The suite on the CPU emulator with the GPU's 16 x 16 groups, so the tiled kernels' GPU configuration runs here too.</summary>
[TestFixture]
public sealed class IlgpuGpuSizedGroupsConformanceTests : BackendConformanceTests
{
    protected override ConformanceSizes Sizes => ConformanceSizes.Tiny;

    protected override ISparseBackend CreateBackend()
    {
        IlgpuBackend backend = IlgpuBackend.CreateCpuEmulator(gpuSizedGroups: true);
        Assert.That(backend.TileSize, Is.EqualTo(16), "the emulated device allows 256 threads per group");
        return backend;
    }
}

/// <summary>The suite on CUDA at real sizes; skipped where no CUDA device exists.</summary>
[TestFixture]
[Category("Gpu")]
public sealed class IlgpuCudaConformanceTests : BackendConformanceTests
{
    protected override ConformanceSizes Sizes => ConformanceSizes.Real;

    protected override ISparseBackend CreateBackend()
    {
        if (!IlgpuBackend.IsCudaAvailable())
            Assert.Ignore("No CUDA device: the GPU conformance suite runs on a machine with one.");
        return IlgpuBackend.CreateCuda();
    }
}
