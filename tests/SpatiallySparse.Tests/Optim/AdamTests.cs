using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Optim;
using static SpatiallySparse.Tests.Optim.OptimTestParameters;

namespace SpatiallySparse.Tests.Optim;

/// <summary>
/// Adam and AdamW against hand computation (PyTorch's update: m, v, bias corrections 1 - beta^t, epsilon added to
/// sqrt(v̂)), against a double-precision reference over 50 steps, and the decoupled decay against Adam + L2.
/// </summary>
[TestFixture]
public sealed class AdamTests
{
    private static readonly float[] W0 = [1f, -2f];
    private static readonly float[] G1 = [0.5f, -1f];
    private static readonly float[] G2 = [0.2f, 0.4f];

    [Test]
    public void AdamFirstTwoStepsMatchHandComputation()
    {
        // Step 1: m = 0.1 g1 = [0.05, -0.1], v = 0.001 g1² = [2.5e-4, 1e-3]; m̂ = m / 0.1 = g1, v̂ = v / 0.001 = g1²:
        // the step is lr · sign(g1) = 0.1 [1, -1] (less 1e-8 relative), w1 = [0.9, -1.9].
        // Step 2: m = 0.9 m + 0.1 g2 = [0.065, -0.05], v = 0.999 v + 0.001 g2² = [2.8975e-4, 1.159e-3];
        // m̂ = m / 0.19, v̂ = v / 0.001999: step = 0.1 m̂ / sqrt(v̂) = [0.0898575, 0.0345606], w2 = [0.8101425, -1.8654394].
        Parameter w = New(W0);
        using Adam adam = new([w], learningRate: 0.1f);
        Step(adam, w, G1);
        Assert.That(w.GetValues(), Is.EqualTo(new[] { 0.9f, -1.9f }).Within(1e-6f));
        Step(adam, w, G2);
        Assert.That(w.GetValues(), Is.EqualTo(new[] { 0.810142484f, -1.865439417f }).Within(1e-6f));
    }

    [Test]
    public void AdamWFirstTwoStepsMatchHandComputation()
    {
        // The same moments as Adam (the gradient never sees the decay); each step first shrinks w by 1 - 0.1 · 0.01:
        // w1 = 0.999 w0 - [0.1, -0.1] = [0.899, -1.898]; w2 = 0.999 w1 - [0.0898575, 0.0345606] = [0.8082435, -1.8615414].
        Parameter w = New(W0);
        using AdamW adamW = new([w], learningRate: 0.1f);
        Step(adamW, w, G1);
        Assert.That(w.GetValues(), Is.EqualTo(new[] { 0.899f, -1.898f }).Within(1e-6f));
        Step(adamW, w, G2);
        Assert.That(w.GetValues(), Is.EqualTo(new[] { 0.808243484f, -1.861541417f }).Within(1e-6f));
    }

    [TestCase(false, 0.0)]
    [TestCase(false, 0.05)]
    [TestCase(true, 0.05)]
    public void FiftyStepsOnAQuadraticFollowADoubleReference(bool decoupled, double weightDecay)
    {
        // f(w) = ½ Σ a_i (w_i - c_i)²: each side takes its gradient at its own weights.
        double[] a = [1, 4, 0.25, 2], c = [0.5, -1, 3, 0];
        double[] reference = [2, 1, -1, 0.5];
        Parameter w = New([.. reference.Select(x => (float)x)]);
        using Adam adam = decoupled ? new AdamW([w], 0.05f, weightDecay: (float)weightDecay) : new Adam([w], 0.05f, weightDecay: (float)weightDecay);
        ReferenceAdam oracle = new(reference.Length, 0.05, weightDecay, decoupled);
        for (int step = 0; step < 50; step++)
        {
            float[] current = w.GetValues();
            Step(adam, w, [.. current.Select((x, i) => (float)(a[i] * (x - c[i])))]);
            oracle.Step(reference, [.. reference.Select((x, i) => a[i] * (x - c[i]))]);
        }
        double[] actual = Values(w);
        for (int i = 0; i < reference.Length; i++)
            Assert.That(actual[i], Is.EqualTo(reference[i]).Within(1e-5 * Math.Max(1, Math.Abs(reference[i]))), $"weight {i}");
    }

    [Test]
    public void AdamWIsAdamOnWeightsShrunkBeforeEachStep()
    {
        // Decoupled decay: the AdamW step equals w *= 1 - lr · wd followed by a plain Adam step, bit for bit.
        Parameter decoupled = New(W0), manual = New(W0);
        using AdamW adamW = new([decoupled], 0.1f, weightDecay: 0.2f);
        using Adam adam = new([manual], 0.1f);
        float keep = (float)(1.0 - 0.1 * (double)0.2f);
        foreach (float[] g in new[] { G1, G2, G1 })
        {
            Step(adamW, decoupled, g);
            manual.SetValues([.. manual.GetValues().Select(x => x * keep)]);
            Step(adam, manual, g);
        }
        Assert.That(decoupled.GetValues(), Is.EqualTo(manual.GetValues()));
    }

    [Test]
    public void AdamWeightDecayIsL2AddedToTheGradientAndDiffersFromAdamW()
    {
        // Adam's decay is g + wd · w fed through the moments, bit for bit; AdamW's is not, so the two part ways.
        Parameter l2 = New(W0), manual = New(W0), decoupled = New(W0);
        using Adam withDecay = new([l2], 0.1f, weightDecay: 0.2f);
        using Adam plain = new([manual], 0.1f);
        using AdamW adamW = new([decoupled], 0.1f, weightDecay: 0.2f);
        foreach (float[] g in new[] { G1, G2, G1 })
        {
            float[] w = manual.GetValues();
            Step(withDecay, l2, g);
            Step(plain, manual, [.. g.Select((x, i) => x + 0.2f * w[i])]);
            Step(adamW, decoupled, g);
        }
        Assert.That(l2.GetValues(), Is.EqualTo(manual.GetValues()));
        float[] gap = [.. l2.GetValues().Zip(decoupled.GetValues(), (x, y) => Math.Abs(x - y))];
        Assert.That(gap, Has.All.GreaterThan(1e-4f));
    }

    [Test]
    public void DefaultsFollowPyTorch()
    {
        using Adam adam = new([New(W0)]);
        using AdamW adamW = new([New(W0)]);
        Assert.That((adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay), Is.EqualTo((1e-3f, 0.9f, 0.999f, 1e-8f, 0f)));
        Assert.That((adamW.LearningRate, adamW.WeightDecay, adam.Kind, adamW.Kind), Is.EqualTo((1e-3f, 0.01f, "adam", "adamw")));
    }

    [Test]
    public void InvalidSettingsAreRefusedNamingTheArgument()
    {
        Parameter[] p = [New(W0)];
        Assert.That(() => new Adam(p, beta1: 1f), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("beta1").And.Message.Contains("got 1"));
        Assert.That(() => new Adam(p, beta2: -0.1f), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("beta2").And.Message.Contains("-0.1"));
        Assert.That(() => new AdamW(p, epsilon: 0f), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("epsilon"));
        Assert.That(() => new AdamW(p, weightDecay: float.NaN), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("weightDecay"));
        Assert.That(() => new Adam(p, learningRate: 0f), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("got 0"));
    }

    /// <summary>PyTorch's Adam / AdamW in double, written independently of the backends.</summary>
    private sealed class ReferenceAdam(int n, double lr, double weightDecay, bool decoupled)
    {
        private readonly double[] _m = new double[n], _v = new double[n];
        private int _t;

        public void Step(double[] w, double[] g)
        {
            _t++;
            for (int i = 0; i < w.Length; i++)
            {
                double gi = decoupled ? g[i] : g[i] + weightDecay * w[i];
                if (decoupled)
                    w[i] *= 1 - lr * weightDecay;
                _m[i] = 0.9 * _m[i] + 0.1 * gi;
                _v[i] = 0.999 * _v[i] + 0.001 * gi * gi;
                double mHat = _m[i] / (1 - Math.Pow(0.9, _t)), vHat = _v[i] / (1 - Math.Pow(0.999, _t));
                w[i] -= lr * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
        }
    }
}
