using System.Numerics;
using NUnit.Framework;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Dense;
using SpatiallySparse.Handwriting;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;

namespace SpatiallySparse.Tests.Packages;

/// <summary>The examples of the packages' own READMEs (src/*/PACKAGE.md), run: each does what its page says.</summary>
[TestFixture]
public sealed class PackageExampleTests
{
    [Test]
    public void TheCorePackagesNetworkClassifiesASparseBatch()
    {
        using Sequential<SparseTensor, DenseTensor> net = new(
            new SubmanifoldConvolution(dimension: 2, inputChannels: 1, outputChannels: 16, filterSize: 3, seed: 1),
            new BatchNormalization(16),
            new LeakyRelu(0.1f),
            new MaxPooling(dimension: 2, poolSize: 2, stride: 2, includeGround: false),
            new SubmanifoldConvolution(2, 16, 32, 3, seed: 2),
            new BatchNormalization(32),
            new LeakyRelu(0.1f),
            new GlobalAveragePooling(),
            new Linear(32, 4, seed: 3));
        using CpuBackend backend = new(threads: 2);   // owns its worker threads: dispose it
        SparseInput batch = new(2, 2, 1);
        batch.Add(0, [3, 4], 1f);
        batch.Add(1, [10, 11], 1f);
        using SparseTensor x = new InputLayer(new SpatialSize(16, 16)).Forward(batch, backend);
        using DenseTensor y = net.Forward(x);
        Assert.That((y.BatchSize, y.Width), Is.EqualTo((2, 4)));
    }

    [Test]
    public void TheDensePackagesNetworkHasTheSparseNetworksWeights()
    {
        DeepCNetOptions options = new() { L = 3, K = 8, Classes = 10, Seed = 1 };
        using Sequential<SparseTensor, DenseTensor> sparse = DeepCNet.Create(options);
        using Sequential<DenseFeatureMap, DenseTensor> dense = DenseNetworks.DeepCNet(options);   // same weights
        Assert.That(dense.NamedParameters().Select(p => (p.Name, p.Parameter.GetValues())),
            Is.EqualTo(sparse.NamedParameters().Select(p => (p.Name, p.Parameter.GetValues()))));
    }

    [Test]
    public void TheHandwritingPackageRendersACross()
    {
        PenCharacter cross = new([[new Vector2(0, 0), new Vector2(10, 10)], [new Vector2(10, 0), new Vector2(0, 10)]]);
        StrokeRenderer renderer = new(gridSide: 64, StrokeFeatures.Ink);
        SparseInput batch = new(batchSize: 1, dimension: 2, channels: renderer.Channels);
        Rendering rendering = renderer.Render(cross.Normalize(48f), batch, sample: 0);   // the ink's sites in sample 0
        Assert.That(rendering.Sites, Has.Count.GreaterThan(40));
        Assert.That(rendering.PointsOutside, Is.Zero);
    }
}
