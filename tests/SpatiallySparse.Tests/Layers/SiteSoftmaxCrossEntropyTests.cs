using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;
using SpatiallySparse.Tests.Autograd;

namespace SpatiallySparse.Tests.Layers;

/// <summary>The per-site loss: its value against a direct computation, its gradient, and label checks.</summary>
[TestFixture]
public sealed class SiteSoftmaxCrossEntropyTests
{
    [Test]
    public void ValueIsTheMeanOverSites()
    {
        PointBatch points = Points();
        using Tape tape = new();
        SparseTensor x = Input(points, tape);
        int[] labels = Labels(x.ActiveCount);
        int[] predictions = new int[x.ActiveCount];
        float loss = SiteSoftmaxCrossEntropy.Compute(x, labels, tape, predictions);
        float[] z = x.GetFeatures();
        double expected = 0;
        for (int r = 0; r < labels.Length; r++)
        {
            double a = z[2 * r], b = z[2 * r + 1], m = Math.Max(a, b);
            expected += m + Math.Log(Math.Exp(a - m) + Math.Exp(b - m)) - (labels[r] == 0 ? a : b);
            Assert.That(predictions[r], Is.EqualTo(a >= b ? 0 : 1), $"site {r}");
        }
        Assert.That(loss, Is.EqualTo(expected / labels.Length).Within(1e-5));
    }

    [Test]
    public void Gradients()
    {
        SubmanifoldConvolution conv = new(2, 2, 3, 3, seed: 2);
        GradCheck.Randomize(conv, seed: 4);
        GradCheckResult result = GradCheck.RunLoss(Points(), (x, tape) =>
        {
            SparseTensor y = conv.Forward(x, tape);
            float value = SiteSoftmaxCrossEntropy.Compute(y, Labels(y.ActiveCount, 3), tape, []);
            return new LossResult(value, [], []);
        }, conv.NamedParameters());
        GradCheck.AssertAgrees(result);
    }

    [Test]
    public void RefusesLabelsOutOfRangeNamingTheSite()
    {
        using Tape tape = new();
        SparseTensor x = Input(Points(), tape);
        int[] labels = Labels(x.ActiveCount);
        labels[4] = 2;
        Assert.That(() => SiteSoftmaxCrossEntropy.Compute(x, labels, tape, []),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Label 2 of active site 4 is outside [0, 1]"));
        Assert.That(() => SiteSoftmaxCrossEntropy.Compute(x, [0, 1], tape, []), Throws.ArgumentException.With.Message.Contains("one label per active site"));
    }

    private static int[] Labels(int count, int classes = 2) => [.. Enumerable.Range(0, count).Select(i => (i * 7 + 3) % classes)];

    private static PointBatch Points() => new(new SpatialSize(5, 5), batchSize: 2, channels: 2, pointsPerSample: 7, seed: 9);

    private static SparseTensor Input(PointBatch points, Tape tape) =>
        points.InputLayer().Forward(points.ToInput(points.Features), CpuBackend.Shared, tape);
}
