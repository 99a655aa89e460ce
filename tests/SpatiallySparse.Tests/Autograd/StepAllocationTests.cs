using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;

namespace SpatiallySparse.Tests.Autograd;

/// <summary>
/// What a warm training step allocates, and that the objects it recycles are ones no caller can hold: outputs a
/// caller sees, and whatever a user module sees, still throw once their step is freed.
/// </summary>
[TestFixture]
public sealed class StepAllocationTests
{
    /// <summary>
    /// Once warm, a step allocates only the 8 objects its caller can reach, which therefore cannot be recycled
    /// safely: the batch's metadata and input grid (<c>x.Metadata</c>, <c>x.Grid</c>), the input tensor with its
    /// features and ground matrices, and the logits with their values and gradient. Whatever the network: 424
    /// bytes on 64-bit .NET 10, and the bound is exactly that: one more field that grows one of these objects
    /// by 8 bytes (as a bool in <see cref="SparseTensor"/> once did) fails here, as does one more object.
    /// </summary>
    private const long BytesPerStepBound = 424;

    [Test]
    public void AWarmTrainingStepAllocatesOnlyItsGeometryAndTheTensorsTheCallerHolds()
    {
        Loop loop = new(DeepCNet.Create(new DeepCNetOptions { L = 2, K = 4, Classes = 2, Seed = 5 }));
        // Enough steps for the tiered JIT to settle (tier-1 after 30 calls plus its background delay) and the pools to fill.
        for (int i = 0; i < 200; i++)
            loop.Step();
        // The counter is the whole process's: another thread of the test host may allocate during a window, so
        // the least of five windows is the step's own figure (a step that allocates shows in every window).
        const int steps = 50;
        long perStep = long.MaxValue;
        for (int window = 0; window < 5; window++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < steps; i++)
                loop.Step();
            perStep = Math.Min(perStep, (GC.GetTotalAllocatedBytes(precise: true) - before) / steps);
        }
        TestContext.Out.WriteLine($"{perStep} bytes per warm step (least of 5 windows)");
        Assert.That(perStep, Is.LessThanOrEqualTo(BytesPerStepBound));
    }

    [Test]
    public void TensorsTheCallerHeldAreNotRecycledAndThrowAfterReset()
    {
        Loop loop = new(DeepCNet.Create(new DeepCNetOptions { L = 2, K = 4, Classes = 2, Seed = 5 }));
        (SparseTensor x, DenseTensor logits) = loop.Step();
        (SparseTensor x2, DenseTensor logits2) = loop.Step();
        Assert.That(x2, Is.Not.SameAs(x));
        Assert.That(logits2, Is.Not.SameAs(logits));
        Assert.That(new[] { x.Ground.IsDisposed, logits.Grad!.IsDisposed }, Is.All.True);
        Assert.That(() => x.Features, Throws.InstanceOf<ObjectDisposedException>().With.Message.Contains("Tape that owned it"));
        Assert.That(() => logits.Features, Throws.InstanceOf<ObjectDisposedException>().With.Message.Contains("Tape that owned it"));
        Assert.That(() => logits.ToArray(), Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(() => x.Grid.SampleOffsets.Length, Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void WhatAUserModuleSawIsNotRecycled()
    {
        Stash stash = new();
        Sequential net = new(new SubmanifoldConvolution(2, 1, 4, 3, seed: 1), stash, new LeakyRelu(), new SubmanifoldConvolution(2, 4, 2, 3, seed: 2),
            new GlobalAveragePooling());
        Loop loop = new(net);
        loop.Step();
        SparseTensor seen = stash.Seen!;
        for (int i = 0; i < 3; i++)
            loop.Step();
        // Recycled and handed out again, its matrices would be live; not recycled, they stay disposed.
        Assert.That(() => seen.Features, Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(seen, Is.Not.SameAs(stash.Seen));
    }

    [Test]
    public void RulebooksACallerAskedForAreNotRecycled()
    {
        Loop loop = new(DeepCNet.Create(new DeepCNetOptions { L = 2, K = 4, Classes = 2, Seed = 5 }));
        (SparseTensor x, _) = loop.Step(beforeReset: x => x.Metadata.GetConvolutionRules(x.SpatialSize, new SpatialSize(3, 3), new SpatialSize(1, 1)));
        for (int i = 0; i < 3; i++)
            loop.Step();
        // Recycled, the object would now hold a later batch's pairs; kept out of recycling, it throws.
        Assert.That(() => loop.Asked!.InputRowsOf(0).Length, Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(() => loop.Asked!.Transposed, Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(() => x.Features, Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void GridsACallerCouldReachAreNotRecycled()
    {
        Loop loop = new(DeepCNet.Create(new DeepCNetOptions { L = 2, K = 4, Classes = 2, Seed = 5 }));
        Sequential net = new(new Convolution(2, 1, 4, 3, seed: 1), new LeakyRelu(), new MaxPooling(2, 2, 2));
        Tape tape = new();
        SparseTensor y = (SparseTensor)net.Forward(loop.Input(tape), tape);
        SparseGrid asked = y.Metadata.GridAt(new SpatialSize(10, 10))!;  // an intermediate's grid, handed out
        tape.Dispose();
        for (int i = 0; i < 3; i++)
            loop.Step();  // DeepCNet(2, 4) builds grids of the same sizes from the pool
        // Recycled, they would hold a later batch's sites; kept out of recycling, they throw.
        Assert.That(() => y.Grid.SampleOffsets.Length, Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(() => asked.SampleOffsets.Length, Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void ARecycledRulebookThrowsForAHolderFromItsOldBatch()
    {
        Loop loop = new(DeepCNet.Create(new DeepCNetOptions { L = 2, K = 4, Classes = 2, Seed = 5 }));
        SpatialSize filter = new(3, 3), stride = new(1, 1);
        Tape first = new();
        SparseTensor x = loop.Input(first);
        RuleBook rules = x.Metadata.LayerRules(RuleKind.Convolution, x.SpatialSize, filter, stride).Rules;
        int generation = rules.Generation;
        first.Dispose();
        using Tape second = new();
        SparseTensor x2 = loop.Input(second);
        RuleBook again = x2.Metadata.LayerRules(RuleKind.Convolution, x2.SpatialSize, filter, stride).Rules;
        Assert.That(again, Is.SameAs(rules), "the pool hands the object to the next batch");
        Assert.That(() => rules.ThrowIfRecycled(generation), Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(() => again.ThrowIfRecycled(again.Generation), Throws.Nothing);
    }

    [Test]
    public void BackwardOnATapeWhoseBatchWasFreedByAnotherThrows()
    {
        Sequential net = DeepCNet.Create(new DeepCNetOptions { L = 2, K = 4, Classes = 2, Seed = 5 });
        Loop loop = new(net);
        Tape geometry = new();
        using Tape step = new();
        DenseTensor logits = (DenseTensor)net.Forward(loop.Input(geometry), step);
        SoftmaxCrossEntropy.Compute(logits, [0, 1, 1, 0], step, []);
        geometry.Dispose();  // frees the batch's metadata while the step still needs it
        loop.Step();  // its recycled objects now serve another batch
        Assert.That(() => step.Backward(), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void ALayerAppliedTwiceInOneTapeGetsBothGradients()
    {
        SubmanifoldConvolution shared = new(2, 2, 2, 3, seed: 3);
        SubmanifoldConvolution first = new(2, 2, 2, 3, seed: 3), second = new(2, 2, 2, 3, seed: 3);
        new Loop(new Sequential(new SubmanifoldConvolution(2, 1, 2, 3, seed: 4), shared, new LeakyRelu(0.1f), shared, new GlobalAveragePooling())).Step();
        new Loop(new Sequential(new SubmanifoldConvolution(2, 1, 2, 3, seed: 4), first, new LeakyRelu(0.1f), second, new GlobalAveragePooling())).Step();
        float[] sum = [.. first.Weight.Grad.ToArray().Zip(second.Weight.Grad.ToArray(), (a, b) => a + b)];
        Assert.That(sum, Has.Some.Not.EqualTo(0f));
        Assert.That(shared.Weight.Grad.ToArray(), Is.EqualTo(sum).Within(1e-5f));
    }

    /// <summary>An allocation-free training loop: one tape reset per step, prebuilt batch, labels and predictions.</summary>
    private sealed class Loop(Sequential net)
    {
        private readonly CpuBackend _backend = new(2);
        private readonly InputLayer _inputLayer = new(new SpatialSize(12, 12));
        private readonly Sgd _sgd = new(net.Parameters(), 0.01f, momentum: 0.9f);
        private readonly SparseInput _input = Batch();
        private readonly int[] _labels = [0, 1, 1, 0];
        private readonly int[] _predictions = new int[4];
        private readonly Tape _tape = new();

        /// <summary>The loop's batch on <paramref name="tape"/>.</summary>
        public SparseTensor Input(Tape tape) => _inputLayer.Forward(_input, _backend, tape);

        /// <summary>The rulebook that the last step's <c>beforeReset</c> asked the metadata for.</summary>
        public RuleBook? Asked { get; private set; }

        /// <summary>One step; returns the input and logits of the step, whose tape is already reset.</summary>
        public (SparseTensor X, DenseTensor Logits) Step(Func<SparseTensor, (SparseGrid, RuleBook)>? beforeReset = null)
        {
            SparseTensor x = _inputLayer.Forward(_input, _backend, _tape);
            DenseTensor logits = (DenseTensor)net.Forward(x, _tape);
            SoftmaxCrossEntropy.Compute(logits, _labels, _tape, _predictions);
            _sgd.ZeroGrad();
            _tape.Backward();
            _sgd.Step();
            if (beforeReset is not null)
                Asked = beforeReset(x).Item2;
            _tape.Reset();
            return (x, logits);
        }

        private static SparseInput Batch()
        {
            SparseInput input = new(4, 2, 1);
            for (int b = 0; b < 4; b++)
                for (int i = 0; i < 7; i++)
                    input.Add(b, b % 2 == 0 ? [2 + b, 2 + i] : [2 + i, 2 + b], 1f);
            return input;
        }
    }

    /// <summary>A user module that keeps the last input it saw (what a recycled object must never be handed to).</summary>
    private sealed class Stash : SparseModule
    {
        private readonly LeakyRelu _relu = new();

        public SparseTensor? Seen { get; private set; }

        protected override SparseTensor ForwardCore(SparseTensor input, Tape tape)
        {
            Seen = input;
            return _relu.Forward(input, tape);
        }
    }
}
