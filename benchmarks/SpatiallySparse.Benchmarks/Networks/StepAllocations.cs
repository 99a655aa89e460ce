using System.Diagnostics.Tracing;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Benchmarks.Support;
using SpatiallySparse.Layers;
using SpatiallySparse.Optim;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// The <c>step-allocations</c> command: what a warm sparse training step of a workload allocates, in bytes, stage
/// by stage (input layer, each forward step of the network, loss, zero grad, each layer's backward, SGD, resetting
/// the tape), from <c>GC.GetTotalAllocatedBytes(true)</c> around each stage, averaged over the measured steps;
/// then, with <c>--types true</c>, the runtime's sampled allocation ticks by type over as many more steps (about
/// one event per 100 KB allocated, so run enough steps). Usage:
/// <c>step-allocations [--workload mnist|assamese] [--steps 20] [--warmup 60] [--types false]</c>.
/// </summary>
internal static class StepAllocations
{
    public static int Run(string[] args)
    {
        CommandOptions options = new(args, "workload", "steps", "warmup", "types");
        StepWorkload workload = StepWorkload.Get(options.Text("workload", "mnist"));
        int steps = options.Int("steps", 20), warmup = options.Int("warmup", 60);
        using CpuBackend backend = new();
        TrainingStep step = new(workload, dense: false, backend);
        InputLayer inputLayer = new(SpatialSize.Cube(2, workload.GridSide));
        Sgd sgd = new(step.Network.Parameters(), 0.003f, momentum: 0.9f);
        (SparseInput Input, int[] Labels)[] batches = [.. Enumerable.Range(0, 10).Select(workload.MakeBatch)];
        Meter meter = new(step.Network.Children.Count);
        for (int i = 0; i < warmup; i++)
            meter.Step(step.Network, inputLayer, sgd, backend, batches[i % batches.Length], measure: false);
        for (int i = 0; i < steps; i++)
            meter.Step(step.Network, inputLayer, sgd, backend, batches[(warmup + i) % batches.Length], measure: true);
        Console.WriteLine($"# {workload.Description}; {backend.Name}; {steps} steps after {warmup} warm-up; bytes per step");
        for (int s = 0; s < meter.Names.Length; s++)
            if (meter.Bytes[s] != 0)
                Console.WriteLine(FormattableString.Invariant($"{meter.Names[s],-48}{meter.Bytes[s] / (double)steps,12:0.0}"));
        Console.WriteLine(FormattableString.Invariant($"{"total",-48}{meter.Bytes.Sum() / (double)steps,12:0.0}"));
        if (options.Text("types", "false") == "true")
            CountTypes(() => meter.Step(step.Network, inputLayer, sgd, backend, batches[0], measure: false), steps);
        return 0;
    }

    /// <summary>Runs <paramref name="steps"/> steps under an AllocationTick listener; prints sampled bytes by type.</summary>
    private static void CountTypes(Action runStep, int steps)
    {
        using TickListener listener = new();
        for (int i = 0; i < steps; i++)
            runStep();
        listener.Stop();
        Console.WriteLine("# sampled allocation ticks by type (each tick stands for ~100 KB of that heap's allocations)");
        foreach ((string type, int ticks) in listener.Ticks.OrderByDescending(t => t.Value))
            Console.WriteLine($"{ticks,8}  {type}");
    }

    /// <summary>One step with a reading of the allocation counter between stages; markers on the tape time backward per layer.</summary>
    private sealed class Meter
    {
        private readonly long[] _marks;
        private readonly Action _marker;
        private readonly Tape _tape = new();  // reset after each step, as TrainingStep.Run does
        private readonly Action<int> _afterStep;
        private Sequential? _net;
        private int _stage;

        public Meter(int layers)
        {
            // Stages: input, forward per layer, loss, zero grad, backward of loss, backward per layer, input backward, sgd, free.
            Names = ["input layer", .. Enumerable.Range(0, layers).Select(i => $"forward {i}"), "loss", "zero grad",
                "backward loss", .. Enumerable.Range(0, layers).Select(i => $"backward {layers - 1 - i}"), "backward rest", "sgd", "reset tape"];
            Bytes = new long[Names.Length];
            _marks = new long[Names.Length + 1];
            _marker = Mark;  // made once, so the markers themselves allocate nothing per step (bar the tape's list)
            _afterStep = AfterStep;
        }

        public string[] Names { get; }

        public long[] Bytes { get; }

        public void Step(Sequential net, InputLayer inputLayer, Sgd sgd, CpuBackend backend, (SparseInput Input, int[] Labels) batch, bool measure)
        {
            _stage = 0;
            Mark();
            Tape tape = _tape;
            Tensor x = inputLayer.Forward(batch.Input, backend, tape);
            Mark();
            tape.Record(_marker);
            _net = net;
            // Through the network's own forward, so that it recycles its intermediates as in a real step.
            x = net.Forward(x, tape, _afterStep);
            SoftmaxCrossEntropy.Compute((DenseTensor)x, batch.Labels, tape, predictions: []);
            Mark();
            sgd.ZeroGrad();
            Mark();
            tape.Backward();
            Mark();
            sgd.Step();
            Mark();
            tape.Reset();
            Mark();
            if (!measure)
                return;
            for (int s = 0; s < Bytes.Length; s++)
                Bytes[s] += _marks[s + 1] - _marks[s];
        }

        /// <summary>After the network's step at <paramref name="i"/>: a reading per module, and a backward marker per module.</summary>
        private void AfterStep(int i)
        {
            int modules = _net!.ModulesInStep(i);
            for (int k = 0; k < modules; k++)
                Mark();
            for (int k = 0; k < modules; k++)
                _tape.Record(_marker);
        }

        private void Mark() => _marks[_stage++] = GC.GetTotalAllocatedBytes(precise: true);
    }

    /// <summary>Counts the runtime's GCAllocationTick events by type name.</summary>
    private sealed class TickListener : EventListener
    {
        private volatile bool _stopped;

        public Dictionary<string, int> Ticks { get; } = [];

        public void Stop() => _stopped = true;

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
                EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);  // GC keyword
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (_stopped || e.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null)
                return;
            int index = e.PayloadNames.IndexOf("TypeName");
            string type = index >= 0 ? e.Payload?[index] as string ?? "?" : "?";
            lock (Ticks)
                Ticks[type] = Ticks.GetValueOrDefault(type) + 1;
        }
    }
}
