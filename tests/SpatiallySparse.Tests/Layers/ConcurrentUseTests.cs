using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Tests.Autograd;

namespace SpatiallySparse.Tests.Layers;

/// <summary>A module's step belongs to one thread: a second thread's forward meanwhile throws instead of corrupting gradients.</summary>
public sealed class ConcurrentUseTests
{
    private static readonly CpuBackend Backend = new(1);
    private static readonly PointBatch Points = new(new SpatialSize(24, 24), batchSize: 2, channels: 1, pointsPerSample: 15, seed: 5);

    private static Sequential<SparseTensor, DenseTensor> Net() => DeepCNet.Create(new DeepCNetOptions { L = 3, K = 4, Classes = 2, Seed = 9 });

    [Test]
    public void ASecondThreadsStepDuringTheFirstThrowsNamingBothThreads()
    {
        Sequential<SparseTensor, DenseTensor> net = Net();
        using Barrier inStep = new(2);
        Exception? second = null, zeroing = null;
        Thread first = new(() =>
        {
            using Tape tape = new();
            Step(net, tape);
            inStep.SignalAndWait();  // the step's tape is still live
            inStep.SignalAndWait();  // until the other thread has tried
        });
        Thread other = new(() =>
        {
            inStep.SignalAndWait();
            using Tape tape = new();
            second = Catch(() => Step(net, tape));
            zeroing = Catch(net.ZeroGrad);
            inStep.SignalAndWait();
        });
        first.Start();
        other.Start();
        first.Join();
        other.Join();
        Assert.That(second, Is.InstanceOf<InvalidOperationException>());
        Assert.That(second!.Message, Does.Contain("training step of thread").And.Contain("its own replica"));
        Assert.That(zeroing, Is.InstanceOf<InvalidOperationException>(), "its gradients belong to the first thread's step");

        using Tape after = new();
        Assert.That(() => Step(net, after), Throws.Nothing, "free again once the first step's tape is disposed");
    }

    [Test]
    public void OneThreadMayHoldTwoTapesAndStepsOneAfterAnotherMayChangeThreads()
    {
        Sequential<SparseTensor, DenseTensor> net = Net();
        using Tape a = new(), b = new();
        Step(net, a);
        Step(net, b);
        a.Reset();
        b.Reset();
        Exception? elsewhere = null;
        Thread thread = new(() =>
        {
            using Tape tape = new();
            elsewhere = Catch(() => Step(net, tape));
        });
        thread.Start();
        thread.Join();
        Assert.That(elsewhere, Is.Null);
    }

    [Test]
    public void FreeRunningThreadsEitherCompleteAStepOrAreRefusedNeverCorrupted()
    {
        Sequential<SparseTensor, DenseTensor> net = Net();
        float[] reference = GradientOfOneStep(Net());
        int refused = 0, wrong = 0, completed = 0;
        Thread[] threads = [.. Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 60; i++)
            {
                try
                {
                    using Tape tape = new();
                    net.ZeroGrad();
                    Step(net, tape);
                    tape.Backward();
                    if (!net.Parameters().First().Grad.ToArray().SequenceEqual(reference))
                        Interlocked.Increment(ref wrong);
                    Interlocked.Increment(ref completed);
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        }))];
        foreach (Thread t in threads)
            t.Start();
        foreach (Thread t in threads)
            t.Join();
        Assert.That(wrong, Is.Zero, $"{completed} steps completed, {refused} refused");
        Assert.That(completed + refused, Is.EqualTo(120));
    }

    private static float[] GradientOfOneStep(Sequential<SparseTensor, DenseTensor> net)
    {
        using Tape tape = new();
        Step(net, tape);
        tape.Backward();
        return net.Parameters().First().Grad.ToArray();
    }

    private static void Step(Sequential<SparseTensor, DenseTensor> net, Tape tape)
    {
        SparseTensor x = Points.InputLayer().Forward(Points.ToInput(Points.Features), Backend, tape);
        DenseTensor logits = net.Forward(x, tape);
        SoftmaxCrossEntropy.Compute(logits, [0, 1], tape);
    }

    private static Exception? Catch(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
