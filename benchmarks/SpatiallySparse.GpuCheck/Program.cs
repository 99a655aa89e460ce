using SpatiallySparse.GpuCheck;
using SpatiallySparse.Ilgpu;

// GPU check: conformance at real sizes against the CPU backend, convolution throughput, a DeepCNet(5,60)
// training step. Usage: SpatiallySparse.GpuCheck [--mnist <folder with train-{images-idx3,labels-idx1}-ubyte[.gz]>] [--emulator]
// (--emulator runs the same code at tiny sizes on ILGPU's CPU emulator, a smoke test without a GPU).
string? mnist = null;
CheckSettings settings = CheckSettings.Full;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--mnist" && i + 1 < args.Length)
        mnist = args[++i];
    else if (args[i] == "--emulator")
        settings = CheckSettings.Smoke;
}

IlgpuBackend backend;
try
{
    backend = settings.Emulator ? IlgpuBackend.CreateCpuEmulator() : IlgpuBackend.CreateCuda();
}
catch (InvalidOperationException e)
{
    Console.WriteLine($"NO CUDA DEVICE: {e.Message}");
    return 2;
}
catch (Exception e) when (e is not OutOfMemoryException)
{
    // A driver that loads but fails to start (version mismatch, busy device) lands here with ILGPU's own message.
    Console.WriteLine($"CUDA START FAILED: {e}");
    return 3;
}

using (backend)
{
    Report report = new(backend);
    report.Header();
    int failures = ConformanceCheck.Run(backend, report, settings);
    ConvolutionTiming.Run(backend, report, settings);
    DeepCNetTiming.Run(backend, report, mnist, settings);
    report.Summary();
    return failures == 0 ? 0 : 1;
}
