using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Optim;
using static SpatiallySparse.Tests.Optim.OptimTestParameters;

namespace SpatiallySparse.Tests.Optim;

/// <summary>Clipping by global norm, as torch.nn.utils.clip_grad_norm_: the norm of all gradients together.</summary>
[TestFixture]
public sealed class GradientClippingTests
{
    [Test]
    public void ReturnsTheGlobalNormAndScalesEveryGradientDownToTheMaximum()
    {
        // Gradients [3, 4] and [12]: global norm sqrt(9 + 16 + 144) = 13; clipped to 6.5 they are halved.
        (Parameter a, Parameter b) = WithGradients();
        double norm = GradientClipping.ClipByGlobalNorm([a, b], 6.5f);
        Assert.That(norm, Is.EqualTo(13.0).Within(1e-12));
        float factor = (float)(6.5 / (13 + 1e-6));
        Assert.That(a.Grad.ToArray(), Is.EqualTo(new[] { 3f * factor, 4f * factor }));
        Assert.That(b.Grad.ToArray(), Is.EqualTo(new[] { 12f * factor }));
        Assert.That(GradientClipping.ClipByGlobalNorm([a, b], 100f), Is.EqualTo(6.5).Within(1e-5));
    }

    [TestCase(13f)]
    [TestCase(100f)]
    public void GradientsAtOrBelowTheMaximumAreUntouched(float maxNorm)
    {
        (Parameter a, Parameter b) = WithGradients();
        Assert.That(GradientClipping.ClipByGlobalNorm([a, b], maxNorm), Is.EqualTo(13.0).Within(1e-12));
        Assert.That(a.Grad.ToArray(), Is.EqualTo(new[] { 3f, 4f }));
        Assert.That(b.Grad.ToArray(), Is.EqualTo(new[] { 12f }));
    }

    [Test]
    public void ANonFiniteNormIsReturnedWithoutScaling()
    {
        (Parameter a, Parameter b) = WithGradients();
        a.Backend.Upload([float.PositiveInfinity, 4f], a.Grad);
        Assert.That(GradientClipping.ClipByGlobalNorm([a, b], 1f), Is.EqualTo(double.PositiveInfinity));
        Assert.That(b.Grad.ToArray(), Is.EqualTo(new[] { 12f }));
    }

    [TestCase(0f)]
    [TestCase(-1f)]
    [TestCase(float.NaN)]
    [TestCase(float.PositiveInfinity)]
    public void RefusesAMaximumThatIsNotPositiveAndFinite(float maxNorm)
    {
        (Parameter a, Parameter b) = WithGradients();
        Assert.That(() => GradientClipping.ClipByGlobalNorm([a, b], maxNorm),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("maxNorm")
                .And.Message.Contains($"got {maxNorm}"));
    }

    private static (Parameter A, Parameter B) WithGradients()
    {
        Parameter a = New(1f, 1f), b = New(1f);
        a.Backend.Upload([3f, 4f], a.Grad);
        b.Backend.Upload([12f], b.Grad);
        return (a, b);
    }
}
