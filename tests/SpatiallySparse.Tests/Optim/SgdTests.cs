using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Layers;
using SpatiallySparse.Optim;

namespace SpatiallySparse.Tests.Optim;

/// <summary>
/// Two SGD steps on a two-element parameter against hand computation (PyTorch's convention: weight decay is
/// added to the gradient, v = m v + g, and the step is v, or g + m v with Nesterov), and the learning-rate schedules.
/// </summary>
[TestFixture]
public sealed class SgdTests
{
    // w0 = [1, -2]; gradients g1 = [0.5, -1] then g2 = [0.2, 0.4]; learning rate 0.1, momentum 0.9.
    private static readonly float[] W0 = [1f, -2f];
    private static readonly float[] G1 = [0.5f, -1f];
    private static readonly float[] G2 = [0.2f, 0.4f];

    [Test]
    public void ClassicalMomentum()
    {
        // v1 = g1 = [0.5, -1]; w1 = w0 - 0.1 v1 = [0.95, -1.9]
        // v2 = 0.9 v1 + g2 = [0.65, -0.5]; w2 = w1 - 0.1 v2 = [0.885, -1.85]
        Assert.That(TwoSteps(momentum: 0.9f, weightDecay: 0f, nesterov: false), Is.EqualTo(new[] { 0.885f, -1.85f }).Within(1e-6f));
    }

    [Test]
    public void NesterovMomentum()
    {
        // v1 = [0.5, -1]; w1 = w0 - 0.1 (g1 + 0.9 v1) = w0 - 0.1 [0.95, -1.9] = [0.905, -1.81]
        // v2 = [0.65, -0.5]; w2 = w1 - 0.1 (g2 + 0.9 v2) = w1 - 0.1 [0.785, -0.05] = [0.8265, -1.805]
        Assert.That(TwoSteps(momentum: 0.9f, weightDecay: 0f, nesterov: true), Is.EqualTo(new[] { 0.8265f, -1.805f }).Within(1e-6f));
    }

    [Test]
    public void WeightDecayWithMomentum()
    {
        // g1' = g1 + 0.01 w0 = [0.51, -1.02] = v1; w1 = w0 - 0.1 v1 = [0.949, -1.898]
        // g2' = g2 + 0.01 w1 = [0.20949, 0.38102]; v2 = 0.9 v1 + g2' = [0.66849, -0.53698]
        // w2 = w1 - 0.1 v2 = [0.882151, -1.844302]
        Assert.That(TwoSteps(momentum: 0.9f, weightDecay: 0.01f, nesterov: false), Is.EqualTo(new[] { 0.882151f, -1.844302f }).Within(1e-6f));
    }

    [Test]
    public void WithoutMomentumEachStepIsPlainGradientDescent()
    {
        // w2 = w0 - 0.1 (g1 + g2) = [1 - 0.07, -2 + 0.06]
        Assert.That(TwoSteps(momentum: 0f, weightDecay: 0f, nesterov: false), Is.EqualTo(new[] { 0.93f, -1.94f }).Within(1e-6f));
    }

    [Test]
    public void StepsFollowTheSchedule()
    {
        // Step t uses lr0 exp(-d t): w2 = w0 - 0.1 g1 - 0.1 exp(-0.5) g2.
        Parameter w = NewParameter();
        Sgd sgd = new([w], LearningRateSchedule.Exponential(0.1f, 0.5), momentum: 0f);
        Assert.That(sgd.LearningRate, Is.EqualTo(0.1f));
        Step(sgd, w, G1);
        Assert.That(sgd.StepCount, Is.EqualTo(1));
        Assert.That(sgd.LearningRate, Is.EqualTo(0.1 * Math.Exp(-0.5)).Within(1e-7));
        Step(sgd, w, G2);
        double e = Math.Exp(-0.5);
        Assert.That(w.GetValues(), Is.EqualTo(new[] { 1 - 0.05 - 0.02 * e, -2 + 0.1 - 0.04 * e }).Within(1e-6));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(7)]
    [TestCase(1000)]
    public void ExponentialScheduleDecaysPerStep(long step)
    {
        LearningRateSchedule schedule = LearningRateSchedule.Exponential(0.01f, 1e-3);
        Assert.That(schedule.At(step), Is.EqualTo(0.01 * Math.Exp(-1e-3 * step)).Within(1e-9));
    }

    // Assamese: 0.003 exp(-0.005 epoch) with 100 steps per epoch; the rate only moves at epoch boundaries.
    [TestCase(0, 0)]
    [TestCase(99, 0)]
    [TestCase(100, 1)]
    [TestCase(250, 2)]
    public void ExponentialScheduleDecaysPerEpoch(long step, int epoch)
    {
        LearningRateSchedule schedule = LearningRateSchedule.Exponential(0.003f, 0.005, stepsPerEpoch: 100);
        Assert.That(schedule.At(step), Is.EqualTo(0.003 * Math.Exp(-0.005 * epoch)).Within(1e-10));
    }

    [Test]
    public void ConstantSchedule()
    {
        LearningRateSchedule schedule = LearningRateSchedule.Constant(0.05f);
        Assert.That(new[] { schedule.At(0), schedule.At(1), schedule.At(1_000_000) }, Is.All.EqualTo(0.05f));
    }

    [Test]
    public void InvalidSettingsAreRefused()
    {
        Assert.That(() => LearningRateSchedule.Exponential(0f, 0.1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("got 0"));
        Assert.That(() => LearningRateSchedule.Exponential(0.1f, -1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("got -1"));
        Assert.That(() => LearningRateSchedule.Exponential(0.1f, 0.1, stepsPerEpoch: 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new Sgd([NewParameter()], 0.1f, momentum: 1f), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("got 1"));
        Assert.That(() => new Sgd([NewParameter()], 0.1f, weightDecay: -0.1f), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("-0.1"));
    }

    [Test]
    public void VelocitiesRoundTripSoAResumedOptimiserContinuesExactly()
    {
        Parameter a = NewParameter(), b = NewParameter();
        Sgd first = new([a], 0.1f, momentum: 0.9f);
        Assert.That(first.GetVelocities()[0], Is.EqualTo(new[] { 0f, 0f }), "zeros before the first step");
        Step(first, a, G1);
        b.SetValues(a.GetValues());
        Sgd second = new([b], 0.1f, momentum: 0.9f);
        second.LoadState(first.GetState());
        Step(first, a, G2);
        Step(second, b, G2);
        Assert.That(b.GetValues(), Is.EqualTo(a.GetValues()));
        Assert.That(() => second.SetVelocities([new float[3]]), Throws.ArgumentException.With.Message.Contains("3 values"));
    }

    [Test]
    public void MomentumDefaultsToZeroAsPyTorch()
    {
        Parameter w = NewParameter();
        Sgd byRate = new([w], 0.1f), bySchedule = new([w], LearningRateSchedule.Constant(0.1f));
        Assert.That((byRate.Momentum, bySchedule.Momentum, byRate.WeightDecay, byRate.Nesterov), Is.EqualTo((0f, 0f, 0f, false)));
        // Without momentum two steps are plain gradient descent: w2 = w0 - 0.1 (g1 + g2).
        Step(byRate, w, G1);
        Step(byRate, w, G2);
        Assert.That(w.GetValues(), Is.EqualTo(new[] { 0.93f, -1.94f }).Within(1e-6f));
    }

    private static float[] TwoSteps(float momentum, float weightDecay, bool nesterov)
    {
        Parameter w = NewParameter();
        Sgd sgd = new([w], learningRate: 0.1f, momentum, weightDecay, nesterov);
        Step(sgd, w, G1);
        Step(sgd, w, G2);
        return w.GetValues();
    }

    /// <summary>Sets the gradient as a backward pass would leave it, then steps.</summary>
    private static void Step(Sgd sgd, Parameter w, float[] gradient)
    {
        sgd.ZeroGrad();
        w.Backend.Upload(gradient, w.Grad);
        sgd.Step();
    }

    private static Parameter NewParameter()
    {
        Parameter w = new Linear(2, 1, bias: false, seed: 0).Weight;
        w.SetValues(W0);
        return w;
    }
}
