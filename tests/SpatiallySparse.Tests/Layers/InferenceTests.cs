using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Tests.Autograd;

namespace SpatiallySparse.Tests.Layers;

/// <summary>The tape-free forward: eval-mode values, nothing recorded, results the caller owns; typed chains; clear misuse errors.</summary>
public sealed class InferenceTests
{
    private static readonly CpuBackend Backend = new(2);

    private static readonly PointBatch Points = new(new SpatialSize(24, 24), batchSize: 3, channels: 1, pointsPerSample: 20, seed: 11);

    private static SparseInput Input() => Points.ToInput(Points.Features);

    private static Sequential<SparseTensor, DenseTensor> DropoutNet() =>
        DeepCNet.Create(new DeepCNetOptions { L = 3, K = 4, Classes = 5, Seed = 3, DropoutRates = DeepCNet.RampDropout(3, 0.5f) });

    private static Sequential<SparseTensor, DenseTensor> BatchNormNet() =>
        SparseVgg.Create(new SparseVggOptions { Widths = [4, 6], FinalWidth = 8, FinalFilter = 2, Classes = 5, Seed = 4 });

    [Test]
    public void InferenceEqualsTheEvalModeTrainingForwardBitForBit(
        [Values(true, false)] bool batchNorm)
    {
        Sequential<SparseTensor, DenseTensor> net = batchNorm ? BatchNormNet() : DropoutNet();
        InputLayer input = new(batchNorm ? SpatialSize.Cube(2, SparseVgg.InputSide(new SparseVggOptions { Widths = [4, 6], FinalFilter = 2 })) : new SpatialSize(24, 24));
        PointBatch points = new(input.SpatialSize, batchSize: 3, channels: 1, pointsPerSample: 20, seed: 11);
        if (batchNorm)
            TrainOneStep(net, input, points);  // moves the running statistics away from their initial values

        float[] expected;
        net.Eval();
        using (Tape tape = new())
            expected = net.Forward(input.Forward(points.ToInput(points.Features), Backend, tape), tape).ToArray();
        net.Train();

        using SparseTensor x = input.Forward(points.ToInput(points.Features), Backend);
        using DenseTensor logits = net.Forward(x);
        Assert.That(logits.ToArray(), Is.EqualTo(expected));
        Assert.That(net.IsTraining, Is.True, "the training mode is restored");
    }

    [Test]
    public void InferenceRestoresEachModulesOwnMode()
    {
        Sequential<SparseTensor, DenseTensor> net = DropoutNet();
        Module dropout = net.Children.First(m => m is Dropout);
        dropout.Eval();
        using SparseTensor x = new InputLayer(Points.Size).Forward(Input(), Backend);
        using DenseTensor y = net.Forward(x);
        Assert.That(net.Children.Where(m => m != dropout).All(m => m.IsTraining), Is.True);
        Assert.That(dropout.IsTraining, Is.False);
    }

    [Test]
    public void InferenceRecordsNothingAndLeavesGradientsAlone()
    {
        Probe probe = new();
        Sequential<SparseTensor, DenseTensor> net = new(new SubmanifoldConvolution(2, 1, 4, 3, seed: 1), probe, new GlobalAveragePooling());
        float[] before = net.Parameters().First().Grad.ToArray();
        using SparseTensor x = new InputLayer(Points.Size).Forward(Input(), Backend);
        using DenseTensor y = net.Forward(x);
        Assert.That(probe.SawRecordingTape, Is.False);
        Assert.That(probe.NodesBefore, Is.Zero, "the convolution recorded no backward node");
        Assert.That(net.Parameters().First().Grad.ToArray(), Is.EqualTo(before));
    }

    [Test]
    public void TheResultIsTheCallersAndSaysWhoFreedIt()
    {
        Sequential<SparseTensor, DenseTensor> net = DropoutNet();
        SparseTensor x = new InputLayer(Points.Size).Forward(Input(), Backend);
        DenseTensor y = net.Forward(x);
        Assert.That(y.ToArray(), Has.Length.EqualTo(15), "readable after the inference's own tape was freed");
        y.Dispose();
        x.Dispose();
        Assert.That(() => y.Features, Throws.InstanceOf<ObjectDisposedException>().With.Message.Contains("disposed by its owner"));
        Assert.That(() => x.GetFeatures(), Throws.InstanceOf<ObjectDisposedException>());

        DenseTensor fromTape;
        using (Tape tape = new())
            fromTape = net.Forward(new InputLayer(Points.Size).Forward(Input(), Backend, tape), tape);
        Assert.That(() => fromTape.ToArray(), Throws.InstanceOf<ObjectDisposedException>().With.Message.Contains("Tape that owned it"));
    }

    [Test]
    public void SoftmaxAndArgMaxAgreeWithTheLoss()
    {
        Sequential<SparseTensor, DenseTensor> net = DropoutNet();
        net.Eval();
        using Tape tape = new(recordGradients: false);
        DenseTensor logits = net.Forward(new InputLayer(Points.Size).Forward(Input(), Backend, tape), tape);
        LossResult loss = SoftmaxCrossEntropy.Compute(logits, [0, 1, 2], tape);
        Assert.That(logits.Softmax(), Is.EqualTo(loss.Probabilities).Within(1e-6f));
        Assert.That(logits.ArgMax(), Is.EqualTo(loss.Predictions));
        Assert.That(() => logits.ArgMax(new int[2]), Throws.ArgumentException.With.Message.Contains("3 rows"));
    }

    [Test]
    public void SoftmaxOfLargeLogitsStaysFinite()
    {
        using DenseTensor logits = DenseTensor.FromArray(Backend, [1000f, 999f, -1000f, 0f, 0f, 0f], 2, 3);
        float[] p = logits.Softmax();
        Assert.That(p, Is.All.Not.NaN);
        Assert.That(p[0] + p[1] + p[2], Is.EqualTo(1f).Within(1e-6f));
        Assert.That(p[0] / p[1], Is.EqualTo(MathF.E).Within(1e-3f));
        Assert.That(p[3], Is.EqualTo(1f / 3).Within(1e-7f));
        Assert.That(logits.ArgMax(), Is.EqualTo(new[] { 0, 0 }));
    }

    [Test]
    public void AMissingOrDisposedTapeIsNamed()
    {
        Sequential<SparseTensor, DenseTensor> net = DropoutNet();
        using SparseTensor x = new InputLayer(Points.Size).Forward(Input(), Backend);
        Assert.That(() => net.Forward(x, null!), Throws.ArgumentNullException.With.Message.Contains("for inference call Forward(x)"));
        Assert.That(() => new LeakyRelu().Forward(x, null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("tape"));
        Tape tape = new();
        tape.Dispose();
        Assert.That(() => net.Forward(x, tape), Throws.InstanceOf<ObjectDisposedException>().With.Message.Contains("This Tape was disposed"));
    }

    [Test]
    public void DeclaredTypesAreCheckedWhereTheModulesDeclareTheirs()
    {
        Assert.That(() => new Sequential<SparseTensor, SparseTensor>(new LeakyRelu(), new SparseToDense()),
            Throws.ArgumentException.With.Message.Contains("returns DenseTensor"));
        Assert.That(() => new Sequential<DenseTensor, DenseTensor>(new LeakyRelu()),
            Throws.ArgumentException.With.Message.Contains("reads SparseTensor"));
        Sequential<SparseTensor, SparseTensor> features = new(new LeakyRelu(), new Sequential(new LeakyRelu()));
        using SparseTensor x = new InputLayer(Points.Size).Forward(Input(), Backend);
        using SparseTensor y = features.Forward(x);
        Assert.That(y.ActiveCount, Is.EqualTo(x.ActiveCount));
    }

    [Test]
    public void ADisposedModuleFreedItsParametersAndRefusesToRun()
    {
        Sequential<SparseTensor, DenseTensor> net = DropoutNet();
        Parameter first = net.Parameters().First();
        net.Dispose();
        Assert.That(first.Value.IsDisposed, Is.True);
        using SparseTensor x = new InputLayer(Points.Size).Forward(Input(), Backend);
        using Tape tape = new();
        Assert.That(() => net.Forward(x, tape), Throws.InstanceOf<ObjectDisposedException>().With.Message.Contains("was disposed"));
    }

    private static void TrainOneStep(Sequential<SparseTensor, DenseTensor> net, InputLayer input, PointBatch points)
    {
        using Tape tape = new();
        DenseTensor logits = net.Forward(input.Forward(points.ToInput(points.Features), Backend, tape), tape);
        SoftmaxCrossEntropy.Compute(logits, [0, 1, 2], tape);
        tape.Backward();
    }

    /// <summary>Notes whether the tape it sees records and how many nodes it already holds.</summary>
    private sealed class Probe : SparseModule
    {
        public bool SawRecordingTape { get; private set; }

        public int NodesBefore { get; private set; } = -1;

        protected override SparseTensor ForwardCore(SparseTensor input, Tape tape)
        {
            SawRecordingTape = tape.IsRecording;
            NodesBefore = tape.Count;
            return input;
        }
    }
}
