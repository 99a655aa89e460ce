using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Autograd;

/// <summary>
/// The gradient check must be able to fail: a layer with a deliberately wrong backward is caught, on the
/// features and on the ground state, and a check that nothing depends on is reported as vacuous.
/// </summary>
[TestFixture]
public sealed class GradCheckSelfTests
{
    private static readonly GradCheckOptions WithGround = new() { InputGround = true };

    [Test]
    public void AcceptsAConsistentLayer()
    {
        GradCheckResult result = Check(new Scale(forward: 1.5f, featureBackward: 1.5f, groundBackward: 1.5f));
        Assert.That(result.Failures, Is.Empty);
        Assert.That(result.Vacuous, Is.Empty);
    }

    [Test]
    public void CatchesAWrongFeatureGradient()
    {
        GradCheckResult result = Check(new Scale(forward: 1.5f, featureBackward: 1.55f, groundBackward: 1.5f));
        Assert.That(result.Failures.Select(f => f.Tensor).Distinct(), Is.EqualTo(new[] { GradCheckResult.InputName }));
    }

    [Test]
    public void CatchesADroppedGroundGradient()
    {
        GradCheckResult result = Check(new Scale(forward: 1.5f, featureBackward: 1.5f, groundBackward: 0f));
        Assert.That(result.Failures.Select(f => f.Tensor).Distinct(), Is.EqualTo(new[] { GradCheckResult.GroundName }));
    }

    [Test]
    public void CatchesADroppedGroundGradientThroughAParameter()
    {
        // Without an input ground state the mistake still shows, in the bias that made the ground state.
        NetworkInNetwork nin = new(2, 2, seed: 1);
        GradCheck.Randomize(nin, seed: 2);
        Scale broken = new(forward: 1.5f, featureBackward: 1.5f, groundBackward: 0f);
        GradCheckResult result = GradCheck.Run(Points(), (x, tape) => broken.Forward(nin.Forward(x, tape), tape), nin.NamedParameters());
        Assert.That(result.Failures.Select(f => f.Tensor), Does.Contain("bias"));
    }

    [Test]
    public void ReportsAVacuousCheck()
    {
        GradCheckResult result = Check(new Scale(forward: 0f, featureBackward: 0f, groundBackward: 0f));
        Assert.That(result.Failures, Is.Empty);
        Assert.That(result.Vacuous, Is.EquivalentTo(new[] { GradCheckResult.InputName, GradCheckResult.GroundName }));
    }

    private static GradCheckResult Check(Scale layer) => GradCheck.Run(Points(), layer.Forward, [], WithGround);

    private static PointBatch Points() => new(new SpatialSize(4, 4), batchSize: 2, channels: 2, pointsPerSample: 5, seed: 3);

    /// <summary>y = forward · x on features and ground state, with independently chosen (possibly wrong) backward scales.</summary>
    private sealed class Scale(float forward, float featureBackward, float groundBackward) : SparseModule
    {
        protected override SparseTensor ForwardCore(SparseTensor input, Tape tape)
        {
            ISparseBackend be = input.Backend;
            FeatureMatrix features = be.Allocate(input.ActiveCount, input.Channels);
            FeatureMatrix ground = be.Allocate(input.BatchSize, input.Channels);
            be.Add(input.Features, features, forward);
            be.Add(input.Ground, ground, forward);
            SparseTensor y = tape.Own(new SparseTensor(input.Metadata, input.Grid, features, ground, input.GroundIsZero));
            tape.Record(() =>
            {
                if (y.Grad is not null)
                    be.Add(y.Grad, input.GradOrCreate(), featureBackward);
                if (y.GroundGrad is not null)
                    be.Add(y.GroundGrad, input.GroundGradOrCreate(), groundBackward);
            });
            return y;
        }
    }
}
