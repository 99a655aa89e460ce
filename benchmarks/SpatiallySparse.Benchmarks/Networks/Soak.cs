using System.Diagnostics;
using System.Diagnostics.Tracing;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Benchmarks.Support;
using SpatiallySparse.Data;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// The <c>soak</c> command: many training steps of DeepCNet(5, 10) from a <see cref="SparseBatchLoader"/> with a
/// <see cref="CheckpointManager"/> save every --every steps, sampling at each save the working set, the managed
/// heap (after a full collection), the shared array pool's buffers rented and not returned (counted from the
/// runtime's ArrayPool events), the open file descriptors (/proc/self/fd) and the thread count. A leak shows as
/// a column that keeps growing after the warm-up; the last line compares the final sample with the first after it.
/// The digits are synthetic (random strokes per sample index), so the command needs no data set.
/// <code>
/// dotnet run -c Release --project benchmarks/SpatiallySparse.Benchmarks -- soak [--steps 10000] [--every 500] [--batch 20] [--threads 2] [--prebuild 1] [--workers 2]
/// </code>
/// </summary>
internal static class Soak
{
    private const int L = 5, K = 10, Classes = 10;

    public static int Run(string[] args)
    {
        CommandOptions options = new(args, "steps", "every", "batch", "threads", "warmup", "prebuild", "workers");
        int steps = options.Int("steps", 10_000), every = options.Int("every", 500), batch = options.Int("batch", 20), threads = options.Int("threads", 2);
        int warmup = options.Int("warmup", 2);
        // --prebuild 0: the loader's workers build only the input layer, the network's rulebooks are built in the step.
        bool prebuild = options.Int("prebuild", 1) != 0;
        int workers = options.Int("workers", 2);
        string folder = Directory.CreateTempSubdirectory("ss-soak-").FullName;
        using PoolListener pool = new();
        using CpuBackend backend = new(threads);
        Sequential net = DeepCNet.Create(new DeepCNetOptions { L = L, K = K, Classes = Classes, Seed = 1 });
        net.To(backend);
        Sgd sgd = new(net.Parameters(), 0.003f, momentum: 0.9f);
        CheckpointManager checkpoints = new(folder, net, sgd, new Dictionary<string, string> { ["soak"] = "DeepCNet(5, 10)" });
        checkpoints.StartFresh();
        int side = DeepCNet.InputSide(L);
        using SparseBatchLoader loader = new(new SparseBatchLoaderOptions
        {
            SampleCount = every * batch, BatchSize = batch, GridSize = SpatialSize.Cube(2, side), Channels = 1,
            AddSample = (input, slot, index, random) => AddDigit(input, slot, index, side), Label = index => index % Classes,
            Backend = backend, Seed = 1, Network = prebuild ? net : null, Workers = workers,
        });
        Console.WriteLine($"# soak: DeepCNet({L}, {K}), batch {batch}, {steps} steps, checkpoint every {every}, {threads} threads, prebuild {prebuild}, {workers} loader workers; {Environment.ProcessorCount} cores, " +
            $"load average {StepProfile.LoadAverage()}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine("step    seconds  loss     working-set-MB  managed-MB  pool-outstanding  fds  threads");
        List<long[]> samples = [];
        Stopwatch clock = Stopwatch.StartNew();
        int step = 0;
        for (int epoch = 0; step < steps; epoch++)
            foreach (SparseBatch b in loader.Epoch(epoch))
            {
                float loss;
                using (b)
                    loss = Train(net, sgd, b);
                if (++step % every == 0)
                {
                    checkpoints.Save(epoch, 0);
                    samples.Add(Sample(pool));
                    long[] s = samples[^1];
                    Console.WriteLine($"{step,-7} {clock.Elapsed.TotalSeconds,-8:0} {loss,-8:0.000} {s[0] / 1e6,-15:0.0} {s[1] / 1e6,-11:0.0} {s[2],-17} {s[3],-4} {s[4]}");
                }
                if (step >= steps)
                    break;
            }
        if (samples.Count > warmup + 1)
        {
            long[] first = samples[warmup], last = samples[^1];
            Console.WriteLine($"after warm-up (sample {warmup + 1} to {samples.Count}): working set {Delta(first[0], last[0])}, managed {Delta(first[1], last[1])}, " +
                $"pool outstanding {first[2]} -> {last[2]}, fds {first[3]} -> {last[3]}, threads {first[4]} -> {last[4]}");
        }
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    private static float Train(Sequential net, Sgd sgd, SparseBatch batch)
    {
        using Tape tape = new();
        LossResult loss = SoftmaxCrossEntropy.Compute((DenseTensor)net.Forward(batch.Tensor, tape), batch.Labels!, tape);
        net.ZeroGrad();
        tape.Backward();
        sgd.Step();
        return loss.Value;
    }

    /// <summary>A few random strokes, the same for the same sample index, around the grid's middle.</summary>
    private static void AddDigit(SparseInput input, int slot, int index, int side)
    {
        Random random = new(index);
        HashSet<(int, int)> used = [];
        for (int stroke = 0; stroke < 3; stroke++)
        {
            (double y, double x) = (side / 2 + random.Next(-12, 13), side / 2 + random.Next(-12, 13));
            double angle = random.NextDouble() * Math.Tau;
            for (int i = 0; i < 20; i++, angle += random.NextDouble() - 0.5)
            {
                (y, x) = (Math.Clamp(y + Math.Sin(angle), 0, side - 1), Math.Clamp(x + Math.Cos(angle), 0, side - 1));
                if (used.Add(((int)y, (int)x)))
                    input.Add(slot, [(int)y, (int)x], 1f);
            }
        }
    }

    private static long[] Sample(PoolListener pool)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using Process self = Process.GetCurrentProcess();
        long fds = Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : -1;
        return [self.WorkingSet64, GC.GetTotalMemory(false), pool.Outstanding, fds, self.Threads.Count];
    }

    private static string Delta(long from, long to) => $"{from / 1e6:0.0} -> {to / 1e6:0.0} MB ({(to - from) / 1e6:+0.0;-0.0} MB)";

    /// <summary>Counts the shared array pool's rents and returns from the runtime's ArrayPoolEventSource.</summary>
    private sealed class PoolListener : EventListener
    {
        private long _rented, _returned;

        public long Outstanding => Interlocked.Read(ref _rented) - Interlocked.Read(ref _returned);

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "System.Buffers.ArrayPoolEventSource")
                EnableEvents(source, EventLevel.Verbose);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName == "BufferRented")
                Interlocked.Increment(ref _rented);
            else if (e.EventName == "BufferReturned")
                Interlocked.Increment(ref _returned);
        }
    }
}
