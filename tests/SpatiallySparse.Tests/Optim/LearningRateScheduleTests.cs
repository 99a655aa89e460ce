using NUnit.Framework;
using SpatiallySparse.Optim;

namespace SpatiallySparse.Tests.Optim;

/// <summary>Each schedule's rate at chosen steps, its refusals and its description.</summary>
[TestFixture]
public sealed class LearningRateScheduleTests
{
    [Test]
    public void FactoriesReturnThePublicSchedulesWithTheirOldValues()
    {
        ConstantLearningRate constant = LearningRateSchedule.Constant(0.05f);
        ExponentialDecay exponential = LearningRateSchedule.Exponential(0.003f, 0.005, stepsPerEpoch: 100);
        Assert.That(new[] { constant.At(0), constant.At(1_000_000) }, Is.All.EqualTo(0.05f));
        // The private decay computed (float)(lr0 · exp(-d · (step / stepsPerEpoch))): the same expression, the same bits.
        Assert.That(exponential.At(250), Is.EqualTo((float)(0.003f * Math.Exp(-0.005 * 2))));
        Assert.That((constant.ToString(), exponential.ToString()), Is.EqualTo(("constant 0.05", "0.003 * exp(-0.005 t), t in epochs of 100 steps")));
    }

    [TestCase(0, 0.1)]
    [TestCase(29, 0.1)]
    [TestCase(30, 0.05)]
    [TestCase(89, 0.025)]
    [TestCase(90, 0.0125)]
    public void StepDecayDropsByGammaEveryStepSize(long step, double expected)
    {
        StepDecay schedule = new(0.1f, stepSize: 30, gamma: 0.5);
        Assert.That(schedule.At(step), Is.EqualTo(expected).Within(1e-8));
        Assert.That(schedule.ToString(), Is.EqualTo("0.1 * 0.5^floor(t / 30)"));
    }

    [TestCase(0, 0.1)]
    [TestCase(50, 0.055)]
    [TestCase(25, 0.01 + 0.09 * 0.85355339059327373)]
    [TestCase(100, 0.01)]
    [TestCase(250, 0.01)]
    public void CosineAnnealingFallsHalfACosineThenStays(long step, double expected)
    {
        // At t = T/4 the factor (1 + cos(π/4)) / 2 is 0.8535...
        CosineAnnealing schedule = new(0.1f, totalSteps: 100, minimumRate: 0.01f);
        Assert.That(schedule.At(step), Is.EqualTo(expected).Within(1e-7));
        Assert.That(schedule.ToString(), Is.EqualTo("cosine 0.1 -> 0.01 over 100 steps"));
    }

    [TestCase(0, 0.02)]
    [TestCase(3, 0.08)]
    [TestCase(4, 0.1)]
    [TestCase(5, 0.1)]
    [TestCase(34, 0.05)]
    public void LinearWarmupRampsThenRunsTheInnerScheduleShifted(long step, double expected)
    {
        // W = 4: steps 0..3 get 0.1 · (t + 1) / 5; from step 4 the inner step decay runs from its own step 0,
        // so its first drop (after 30 steps) comes at step 34.
        LinearWarmup schedule = new(new StepDecay(0.1f, 30, 0.5), warmupSteps: 4);
        Assert.That(schedule.At(step), Is.EqualTo(expected).Within(1e-8));
        Assert.That(schedule.ToString(), Is.EqualTo("linear warm-up over 4 steps, then 0.1 * 0.5^floor(t / 30)"));
    }

    [Test]
    public void BadArgumentsAreRefusedNamingThem()
    {
        AssertRefused(() => new ConstantLearningRate(float.NaN), "rate", "NaN");
        AssertRefused(() => new ExponentialDecay(0.1f, -1), "decay", "got -1");
        AssertRefused(() => new ExponentialDecay(0.1f, 0.1, 0), "stepsPerEpoch", "got 0");
        AssertRefused(() => new StepDecay(-0.1f, 10), "initialRate", "got -0.1");
        AssertRefused(() => new StepDecay(0.1f, 0), "stepSize", "got 0");
        AssertRefused(() => new StepDecay(0.1f, 10, 1.5), "gamma", "got 1.5");
        AssertRefused(() => new CosineAnnealing(0.1f, 0), "totalSteps", "got 0");
        AssertRefused(() => new CosineAnnealing(0.1f, 10, 0.2f), "minimumRate", "got 0.2");
        AssertRefused(() => new LinearWarmup(LearningRateSchedule.Constant(0.1f), 0), "warmupSteps", "got 0");
        AssertRefused(() => LearningRateSchedule.Constant(0.1f).At(-1), "step", "got -1");
        Assert.That(() => new LinearWarmup(null!, 3), Throws.ArgumentNullException);
    }

    private static void AssertRefused(Action code, string name, string value) =>
        Assert.That(code, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo(name).And.Message.Contains(value));
}
