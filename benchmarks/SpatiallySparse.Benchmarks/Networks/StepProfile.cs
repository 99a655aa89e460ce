using System.Diagnostics;
using System.Runtime.InteropServices;
using MnistDeepCNet;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Benchmarks.Support;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// Where a DeepCNet(l, k) MNIST training step spends its time and memory, phase by phase, on real digits
/// (threshold 0.02, centred in the grid, random shifts of up to 2 pixels, batch 100, as the MNIST sample):
/// batch (rasterising points), geometry (input layer, every rulebook and its transposed and pooling views),
/// forward (+ loss), backward (zero grad + tape), optimiser, and freeing the tape. Allocation is
/// GC.GetTotalAllocatedBytes(true) around each phase, all threads together. Not a BenchmarkDotNet suite: it
/// runs one process, warms up, then reports the median of the measured steps. On a loaded machine compare
/// the CPU time column (getrusage: every thread of the process, including the runtime's own) rather than
/// wall time, and alternate before/after runs.
/// <code>
/// dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- step-profile [--k 60,20] [--l 5]
///     [--steps 20] [--warmup 10] [--threads 0] [--data shared/data/mnist]
/// </code>
/// </summary>
internal static class StepProfile
{
    private const int Batch = 100;
    private const float Threshold = 0.02f;
    private const int MaxShift = 2;
    private static readonly string[] Phases = ["batch", "geometry", "forward", "backward", "optimiser", "free"];

    public static void Run(string[] args)
    {
        CommandOptions options = new(args, "l", "k", "steps", "warmup", "threads", "data");
        int l = options.Int("l", 5), steps = options.Int("steps", 20), warmup = options.Int("warmup", 10), threads = options.Int("threads", 0);
        int[] ks = [.. options.Text("k", "60,20").Split(',').Select(int.Parse)];
        string data = options.Text("data") ?? MnistDigits.Locate();
        MnistSplit train = MnistDigits.Load(data).Train;
        Console.WriteLine($"StepProfile: {Environment.ProcessorCount} logical CPUs, load average {LoadAverage()}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, MNIST from {data}");
        foreach (int k in ks)
            Profile(l, k, steps, warmup, threads, train);
    }

    private static void Profile(int l, int k, int steps, int warmup, int threads, MnistSplit train)
    {
        int side = DeepCNet.InputSide(l);
        CpuBackend backend = new(threads);
        Sequential net = DeepCNet.Create(new DeepCNetOptions { L = l, K = k, Classes = 10, Seed = 1 });
        net.To(backend);
        Sgd sgd = new(net.Parameters(), 0.01f, momentum: 0.9f);
        InputLayer inputLayer = new(SpatialSize.Cube(2, side));
        Random random = new(7);
        DigitRasterizer rasterizer = new(side, Threshold, MaxShift);
        int[] labels = new int[Batch];
        double[][] seconds = [.. Phases.Select(_ => new double[steps])];
        double[][] cpuSeconds = [.. Phases.Select(_ => new double[steps])];
        long[][] bytes = [.. Phases.Select(_ => new long[steps])];
        double[] stepSeconds = new double[steps], stepCpu = new double[steps];
        long activeSites = 0;
        for (int s = -warmup; s < steps; s++)
        {
            long[] t = new long[Phases.Length + 1];
            long[] a = new long[Phases.Length + 1];
            double[] cpu = new double[Phases.Length + 1];
            Mark(t, a, cpu, 0);
            SparseInput batch = new(Batch, 2, 1);  // a new one, so the tool also runs against older versions (the sample reuses one)
            for (int b = 0; b < Batch; b++)
            {
                int index = random.Next(train.Count);
                labels[b] = index % 10;  // labels do not change the work; no need to read them
                rasterizer.Add(train.Images.Image(index), batch, b, random);
            }
            Mark(t, a, cpu, 1);
            Tape tape = new();
            SparseTensor x = inputLayer.Forward(batch, backend, tape);
            TrainingStep.Prebuild(net, x);
            Mark(t, a, cpu, 2);
            DenseTensor logits = (DenseTensor)net.Forward(x, tape);
            SoftmaxCrossEntropy.Compute(logits, labels, tape);
            Mark(t, a, cpu, 3);
            sgd.ZeroGrad();
            tape.Backward();
            Mark(t, a, cpu, 4);
            sgd.Step();
            Mark(t, a, cpu, 5);
            tape.Dispose();
            Mark(t, a, cpu, 6);
            if (s < 0)
                continue;
            activeSites += x.ActiveCount;
            for (int p = 0; p < Phases.Length; p++)
            {
                seconds[p][s] = Stopwatch.GetElapsedTime(t[p], t[p + 1]).TotalSeconds;
                cpuSeconds[p][s] = cpu[p + 1] - cpu[p];
                bytes[p][s] = a[p + 1] - a[p];
            }
            stepSeconds[s] = Stopwatch.GetElapsedTime(t[1], t[Phases.Length]).TotalSeconds;
            stepCpu[s] = cpu[Phases.Length] - cpu[1];
        }

        Console.WriteLine();
        Console.WriteLine($"DeepCNet({l}, {k}), batch {Batch}, {backend.Name}, {steps} steps after {warmup} warm-up, {activeSites / steps / (double)Batch:0} active input sites per sample");
        Console.WriteLine($"{"phase",-12}{"median ms",12}{"mean ms",10}{"min ms",10}{"cpu ms",10}{"alloc/step",14}");
        for (int p = 0; p < Phases.Length; p++)
            Console.WriteLine($"{Phases[p],-12}{StepTimer.Median(seconds[p]) * 1e3,12:0.0}{seconds[p].Average() * 1e3,10:0.0}{seconds[p].Min() * 1e3,10:0.0}{StepTimer.Median(cpuSeconds[p]) * 1e3,10:0.0}{Bytes(bytes[p].Average()),14}");
        long libraryBytes = 0;
        for (int p = 1; p < Phases.Length; p++)
            libraryBytes += (long)bytes[p].Average();
        Console.WriteLine($"{"step*",-12}{StepTimer.Median(stepSeconds) * 1e3,12:0.0}{stepSeconds.Average() * 1e3,10:0.0}{stepSeconds.Min() * 1e3,10:0.0}{StepTimer.Median(stepCpu) * 1e3,10:0.0}{Bytes(libraryBytes),14}");
        Console.WriteLine($"* library step = geometry + forward + backward + optimiser + free (batch rasterising excluded); {Batch / StepTimer.Median(stepSeconds):0} img/s (median), {Batch / stepSeconds.Min():0} img/s (best step); cpu ms = median CPU time of the process over the phase, all threads");
    }

    private static void Mark(long[] t, long[] a, double[] cpu, int i)
    {
        a[i] = GC.GetTotalAllocatedBytes(precise: true);
        cpu[i] = CpuSeconds();
        t[i] = Stopwatch.GetTimestamp();
    }

    /// <summary>User + system CPU time of the process: microseconds from getrusage on Linux, else the runtime's figure.</summary>
    internal static double CpuSeconds()
    {
        if (OperatingSystem.IsLinux() && GetRUsage(0, out RUsage usage) == 0)
            return usage.UserSeconds + usage.UserMicroseconds * 1e-6 + usage.SystemSeconds + usage.SystemMicroseconds * 1e-6;
        return Environment.CpuUsage.TotalTime.TotalSeconds;
    }

    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetRUsage(int who, out RUsage usage);

    /// <summary>The start of struct rusage (x86-64 / arm64 Linux): two timevals, then counters this tool ignores.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        private unsafe fixed long _rest[14];
    }

    private static string Bytes(double b) => b >= 1 << 20 ? $"{b / (1 << 20):0.00} MB" : b >= 1 << 10 ? $"{b / 1024:0.0} KB" : $"{b:0} B";

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
