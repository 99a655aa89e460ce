using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Optim;
using static SpatiallySparse.Tests.Optim.OptimTestParameters;

namespace SpatiallySparse.Tests.Optim;

/// <summary>
/// GetState / LoadState, the only contract checkpoints use: a resumed optimiser continues bit for bit, and a state
/// that does not fit is refused with a message naming what is wrong, leaving the optimiser as it was.
/// </summary>
[TestFixture]
public sealed class OptimizerStateTests
{
    private const int N = 5;

    public static IEnumerable<TestCaseData> Optimizers()
    {
        yield return new TestCaseData(new Func<IEnumerable<Parameter>, Optimizer>(p => new Sgd(p, 0.05f, momentum: 0.9f, weightDecay: 1e-3f, nesterov: true))).SetArgDisplayNames("sgd");
        yield return new TestCaseData(new Func<IEnumerable<Parameter>, Optimizer>(p => new Adam(p, LearningRateSchedule.Exponential(0.05f, 0.01), weightDecay: 1e-3f))).SetArgDisplayNames("adam");
        yield return new TestCaseData(new Func<IEnumerable<Parameter>, Optimizer>(p => new AdamW(p, 0.05f))).SetArgDisplayNames("adamw");
    }

    [TestCaseSource(nameof(Optimizers))]
    public void ResumedFromItsStateAnOptimiserContinuesBitForBit(Func<IEnumerable<Parameter>, Optimizer> create)
    {
        Parameter[] a = Pair(), b = Pair(), c = Pair();
        using Optimizer first = create(a), second = create(b);
        for (int step = 0; step < N; step++)
        {
            Step(first, a, step);
            Step(second, b, step);
        }
        OptimizerState state = second.GetState();
        for (int i = 0; i < c.Length; i++)
            c[i].SetValues(b[i].GetValues());
        using Optimizer resumed = create(c);
        resumed.LoadState(state);
        Assert.That(resumed.StepCount, Is.EqualTo(N));
        for (int step = N; step < 2 * N; step++)
        {
            Step(first, a, step);
            Step(resumed, c, step);
        }
        for (int i = 0; i < a.Length; i++)
            Assert.That(c[i].GetValues(), Is.EqualTo(a[i].GetValues()), $"parameter {i}");
        Assert.That(c[0].GetValues(), Is.Not.EqualTo(b[0].GetValues()), "the resumed optimiser moved on");
    }

    [Test]
    public void AdamStateHoldsBothMomentsOfEveryParameter()
    {
        Parameter[] p = Pair();
        using Adam adam = new(p, 0.1f);
        OptimizerState before = adam.GetState();
        Assert.That(before.Buffers.Keys, Is.EquivalentTo(new[] { "m.0", "v.0", "m.1", "v.1" }));
        Assert.That(before.Buffers["v.0"], Is.EqualTo(new float[6]), "zeros before the first step");
        Step(adam, p, 0);
        OptimizerState after = adam.GetState();
        Assert.That((after.Kind, after.StepCount), Is.EqualTo(("adam", 1L)));
        Assert.That(after.Buffers["m.1"], Has.Length.EqualTo(2).And.Some.Not.EqualTo(0f));
    }

    [Test]
    public void LoadStateRefusesAnotherKind()
    {
        using Adam adam = new(Pair(), 0.1f);
        using AdamW adamW = new(Pair(), 0.1f);
        Assert.That(() => adamW.LoadState(adam.GetState()), Throws.ArgumentException.With.Message.Contains("'adam'").And.Message.Contains("'adamw'"));
        using Sgd sgd = new(Pair(), 0.1f);
        Assert.That(() => sgd.LoadState(adam.GetState()), Throws.ArgumentException.With.Message.Contains("'adam'"));
    }

    [TestCase("m.1")]
    [TestCase("v.0")]
    public void LoadStateRefusesAMissingBufferAndChangesNothing(string missing)
    {
        Parameter[] p = Pair();
        using Adam adam = new(p, 0.1f);
        Step(adam, p, 0);
        OptimizerState saved = adam.GetState();
        Dictionary<string, float[]> buffers = saved.Buffers.ToDictionary(kv => kv.Key, kv => kv.Value);
        buffers.Remove(missing);
        Assert.That(() => adam.LoadState(saved with { Buffers = buffers, StepCount = 7 }),
            Throws.ArgumentException.With.Message.Contains($"lacks buffer {missing}"));
        Assert.That(adam.StepCount, Is.EqualTo(1));
        Assert.That(adam.GetState().Buffers["m.0"], Is.EqualTo(saved.Buffers["m.0"]));
    }

    [Test]
    public void LoadStateRefusesABufferOfTheWrongLength()
    {
        using Adam adam = new(Pair(), 0.1f);
        OptimizerState saved = adam.GetState();
        Dictionary<string, float[]> buffers = saved.Buffers.ToDictionary(kv => kv.Key, kv => kv.Value);
        buffers["v.1"] = new float[3];
        Assert.That(() => adam.LoadState(saved with { Buffers = buffers }),
            Throws.ArgumentException.With.Message.Contains("v.1 has 3 values").And.Message.Contains("needs 2"));
    }

    [Test]
    public void LoadStateRefusesANegativeStepCount()
    {
        using AdamW adamW = new(Pair(), 0.1f);
        Assert.That(() => adamW.LoadState(adamW.GetState() with { StepCount = -1 }),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("got -1"));
    }

    /// <summary>Two parameters of different sizes, so buffer indices and lengths matter.</summary>
    private static Parameter[] Pair() => [New(0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f), New(3f, -0.5f)];

    /// <summary>A gradient that depends on the step and on the weights (a quadratic plus a drift), then a step.</summary>
    private static void Step(Optimizer optimizer, Parameter[] parameters, int step)
    {
        optimizer.ZeroGrad();
        foreach (Parameter p in parameters)
        {
            float[] w = p.GetValues();
            p.Backend.Upload([.. w.Select((x, i) => 0.7f * x + MathF.Sin(step + i))], p.Grad);
        }
        optimizer.Step();
    }
}
