using NUnit.Framework;
using SpatiallySparse.Layers;
using SpatiallySparse.Networks;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Tests.Serialization;

[TestFixture]
public sealed class ModuleCheckpointTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "ss-ckpt-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static Sequential Net(int seed) => new(
        new SubmanifoldConvolution(2, 1, 4, 3, seed: seed),
        new BatchNormalization(4),
        new LeakyRelu(),
        new SparseToDense());

    [Test]
    public void RoundTripRestoresParametersAndBuffers()
    {
        Sequential a = Net(1), b = Net(2);
        ((BatchNormalization)a.Children[1]).Weight.SetValues([1.5f, 2f, 0.5f, 1f]);
        string path = Path.Combine(_dir, "net.safetensors");
        ModuleCheckpoint.Save(a, path, new Dictionary<string, string> { ["epoch"] = "3" });
        IReadOnlyDictionary<string, string> meta = ModuleCheckpoint.Load(b, path);
        Assert.That(meta["epoch"], Is.EqualTo("3"));
        foreach (((string name, SpatiallySparse.Autograd.Parameter pa), (_, SpatiallySparse.Autograd.Parameter pb)) in a.NamedParameters().Zip(b.NamedParameters()))
            Assert.That(pb.GetValues(), Is.EqualTo(pa.GetValues()), name);
        Assert.That(b.NamedBuffers().Select(x => x.Name), Is.EquivalentTo(new[] { "1.running_mean", "1.running_var" }));
    }

    [Test]
    public void AMismatchedCheckpointIsRejectedAndLeavesTheModuleUnchanged()
    {
        string path = Path.Combine(_dir, "other.safetensors");
        ModuleCheckpoint.Save(DeepCNet.Create(new DeepCNetOptions { L = 2, K = 3 }), path);
        Sequential net = Net(1);
        float[] before = net.Parameters().First().GetValues();
        Assert.That(() => ModuleCheckpoint.Load(net, path), Throws.InstanceOf<SafeTensorsFormatException>().With.Message.Contains("0.weight"));
        Assert.That(net.Parameters().First().GetValues(), Is.EqualTo(before));
    }

    [Test]
    public void ATruncatedCheckpointGivesAClearErrorNamingTheFile()
    {
        string path = Path.Combine(_dir, "net.safetensors");
        ModuleCheckpoint.Save(Net(1), path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 10)]);
        Assert.That(() => ModuleCheckpoint.Load(Net(1), path), Throws.InstanceOf<SafeTensorsFormatException>().With.Message.Contains(path).And.Message.Contains("truncated"));
    }
}
