using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;
using SpatiallySparse.Tests.Autograd;

namespace SpatiallySparse.Tests.Layers;

/// <summary>Channel concatenation of branches: column layout, ground states, gradients and refused joins.</summary>
[TestFixture]
public sealed class ConcatenateBranchesTests
{
    [Test]
    public void ConcatenatesFeaturesAndGroundStates()
    {
        SubmanifoldConvolution conv = new(2, 2, 3, 3, seed: 3);
        GradCheck.Randomize(conv, seed: 1);
        ConcatenateBranches join = new(new Identity(), conv);
        PointBatch points = Points();
        using Tape tape = new(recordGradients: false);
        SparseTensor x = GradCheck.Input(points, points.ToInput(points.Features), [0.3f, -0.2f, 0.5f, 0.1f], tape);
        SparseTensor branch = conv.Forward(x, tape);
        SparseTensor y = join.Forward(x, tape);
        Assert.That(y.Channels, Is.EqualTo(5));
        Assert.That(y.GetFeatures(), Is.EqualTo(Interleave(x.GetFeatures(), 2, branch.GetFeatures(), 3)));
        Assert.That(y.GetGround(), Is.EqualTo(Interleave(x.GetGround(), 2, branch.GetGround(), 3)));
    }

    [Test]
    public void Gradients()
    {
        ConcatenateBranches join = new(new Identity(), new Sequential(new SubmanifoldConvolution(2, 2, 3, 3, seed: 4), new LeakyRelu(1f / 3f)),
            new NetworkInNetwork(2, 1, seed: 5));
        GradCheck.Randomize(join, seed: 2);
        GradCheck.AssertGradients(Points(), (x, tape) => join.Forward(x, tape), join.NamedParameters(), new GradCheckOptions { InputGround = true });
    }

    [Test]
    public void RefusesBranchesOnOtherSites()
    {
        ConcatenateBranches join = new(new Identity(), new Convolution(2, 2, 2, filterSize: 2, stride: 2, seed: 1));
        using Tape tape = new();
        SparseTensor x = points().InputLayer().Forward(points().ToInput(points().Features), CpuBackend.Shared, tape);
        Assert.That(() => join.Forward(x, tape), Throws.ArgumentException.With.Message.Contains("branch 1 returned"));

        static PointBatch points() => Points();
    }

    [Test]
    public void RefusesNoBranches() =>
        Assert.That(() => new ConcatenateBranches(), Throws.ArgumentException.With.Message.Contains("at least one branch"));

    [Test]
    public void BackendColumnCopiesRefuseSlicesThatDoNotFit()
    {
        CpuBackend be = CpuBackend.Shared;
        using Backends.FeatureMatrix narrow = be.Allocate(3, 2), wide = be.Allocate(3, 4);
        Assert.That(() => be.CopyIntoColumns(narrow, wide, 3), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("[0, 2]"));
    }

    private static float[] Interleave(float[] a, int ca, float[] b, int cb)
    {
        int rows = a.Length / ca;
        float[] y = new float[rows * (ca + cb)];
        for (int r = 0; r < rows; r++)
        {
            Array.Copy(a, r * ca, y, r * (ca + cb), ca);
            Array.Copy(b, r * cb, y, r * (ca + cb) + ca, cb);
        }
        return y;
    }

    private static PointBatch Points() => new(new SpatialSize(6, 6), batchSize: 2, channels: 2, pointsPerSample: 9, seed: 78);
}
