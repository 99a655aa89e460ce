using System.Diagnostics;
using System.Globalization;
using PointCloudSegmentation;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;
using SpatiallySparse.Benchmarks.Support;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// The <c>unet-step</c> command: times training steps (input grid and rulebooks, forward, per-site loss, backward,
/// Adam) of the point-cloud sample's submanifold U-Net on its generated scenes, and exports those scenes so that the
/// peers (benchmarks/peers/torch_unet_step.py, scn_unet_step.py) train the same network on the same voxels.
/// After the timed steps, <c>--profile</c> more steps run with a per-layer profile (<see cref="LayerProfile"/>, '#' lines).
/// Usage: <c>unet-step [--resolution 64] [--batch 2] [--widths 8,16,24,32,48] [--steps 5] [--warmup 10] [--threads 0] [--profile 3] [--export FILE]</c>.
/// </summary>
public static class UNetStepTimer
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        CommandOptions options = new(args, "resolution", "batch", "widths", "steps", "warmup", "threads", "profile", "export");
        int side = options.Int("resolution", 64), batch = options.Int("batch", 2), steps = options.Int("steps", 5), warmup = options.Int("warmup", 10);
        int[] widths = [.. options.Text("widths", "8,16,24,32,48").Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture))];
        SceneGenerator generator = new(side, seed: 1);
        VoxelScene[] scenes = [.. Enumerable.Range(0, batch).Select(i => Voxelizer.Voxelize(generator.Generate(i), side))];
        if (options.Text("export") is string path)
            Export(path, scenes, side);
        using CpuBackend backend = new(options.Int("threads", 0));
        Sequential<SparseTensor, SparseTensor> net = UNet.Create(new UNetOptions
        {
            Dimension = 3, InputChannels = VoxelFeatures.Count, Widths = widths, Classes = Scene.ClassCount, Seed = 1,
        });
        net.To(backend);
        using Adam adam = new(net.Parameters(), 1e-3f);
        double occupancy = scenes.Average(s => (double)s.Count) / Math.Pow(side, 3);
        Console.WriteLine(FormattableString.Invariant($"# ours sparse U-Net {string.Join("-", widths)} at {side}^3, batch {batch}, {scenes.Average(s => s.Count):0} active voxels per scene (occupancy {occupancy:P2}); {backend.Name}; .NET {Environment.Version}"));
        float[] features = [.. scenes.SelectMany(s => VoxelFeatures.Compute(s, side))];
        int[] labels = [.. scenes.SelectMany(s => s.Labels)];
        List<double> times = [];
        using Tape tape = new();
        for (int i = 0; i < warmup + steps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            net.ZeroGrad();
            SparseTensor logits = net.Forward(Input(scenes, side, features, backend, tape), tape);
            SiteSoftmaxCrossEntropy.Compute(logits, labels, tape, []);
            tape.Backward();
            adam.Step();
            tape.Reset();
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (i >= warmup)
            {
                times.Add(ms);
                Console.WriteLine(FormattableString.Invariant($"step_ms {ms:0.0}"));
            }
        }
        times.Sort();
        Console.WriteLine(FormattableString.Invariant($"median_ms {times[times.Count / 2]:0.0}"));
        int profiled = options.Int("profile", 3);
        if (profiled > 0)
            Profile(net, adam, scenes, side, features, labels, backend, tape, profiled);
        return 0;
    }

    /// <summary>
    /// <paramref name="steps"/> more steps, split by phase, rulebook and layer: the geometry is built up front
    /// (<see cref="Sequential.BuildGeometry(SparseTensor)"/>), so the layers' forward times hold arithmetic only.
    /// </summary>
    private static void Profile(Sequential<SparseTensor, SparseTensor> net, Adam adam, VoxelScene[] scenes, int side, float[] features, int[] labels,
        CpuBackend backend, Tape tape, int steps)
    {
        LayerProfile profile = new(net);
        for (int i = 0; i < steps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            net.ZeroGrad();
            SparseTensor x = Input(scenes, side, features, backend, tape);
            start = Lap(profile, "input", start);
            profile.BeginGeometry();
            net.BuildGeometry(x, default, profile.PieceBuilt);
            start = Lap(profile, "geometry", start);
            Module.Observer = profile;
            SparseTensor logits;
            try
            {
                logits = net.Forward(x, tape);
            }
            finally
            {
                Module.Observer = null;
            }
            start = Lap(profile, "forward", start);
            SiteSoftmaxCrossEntropy.Compute(logits, labels, tape, []);
            start = Lap(profile, "loss", start);
            tape.Backward();
            start = Lap(profile, "backward", start);
            adam.Step();
            start = Lap(profile, "optimiser", start);
            tape.Reset();
            Lap(profile, "reset", start);
            profile.EndStep();
        }
        profile.Print(Console.Out, steps);
    }

    private static long Lap(LayerProfile profile, string phase, long start)
    {
        long now = Stopwatch.GetTimestamp();
        profile.Phase(phase, Stopwatch.GetElapsedTime(start, now).TotalMilliseconds);
        return now;
    }

    /// <summary>The input, built every step as in training (the input grid is part of a step's cost).</summary>
    private static SparseTensor Input(VoxelScene[] scenes, int side, float[] features, CpuBackend backend, Tape tape)
    {
        int[] samples = [.. scenes.SelectMany((s, b) => Enumerable.Repeat(b, s.Count))];
        SparseInput input = SparseInput.FromArrays(scenes.Length, 3, VoxelFeatures.Count, samples, [.. scenes.SelectMany(s => s.Coordinates)], features);
        return new InputLayer(SpatialSize.Cube(3, side)).Forward(input, backend, tape);
    }

    /// <summary>
    /// Text file the peers read: a header line "resolution R scenes B features F classes K", then per voxel
    /// "scene x y z label f0 .. f(F-1)" (invariant culture), scenes in order.
    /// </summary>
    private static void Export(string path, VoxelScene[] scenes, int side)
    {
        using StreamWriter w = new(path);
        w.WriteLine(FormattableString.Invariant($"resolution {side} scenes {scenes.Length} features {VoxelFeatures.Count} classes {Scene.ClassCount}"));
        for (int b = 0; b < scenes.Length; b++)
        {
            float[] f = VoxelFeatures.Compute(scenes[b], side);
            for (int v = 0; v < scenes[b].Count; v++)
            {
                int[] c = scenes[b].Coordinates;
                string fs = string.Join(" ", Enumerable.Range(0, VoxelFeatures.Count).Select(k => f[VoxelFeatures.Count * v + k].ToString("R", CultureInfo.InvariantCulture)));
                w.WriteLine(FormattableString.Invariant($"{b} {c[3 * v]} {c[3 * v + 1]} {c[3 * v + 2]} {scenes[b].Labels[v]} {fs}"));
            }
        }
    }
}
