using CsCheck;
using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Layers;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Tests.Properties;

/// <summary>Generated tensors and modules survive a safetensors / checkpoint round trip bit for bit.</summary>
[TestFixture]
public sealed class SerializationProperties
{
    // Any float bits: NaN payloads, infinities, -0 and subnormals must come back as they went.
    private static readonly Gen<float> AnyFloat = Gen.Int.Select(BitConverter.Int32BitsToSingle);

    private static readonly Gen<NamedTensor[]> Tensors =
        from count in Gen.Int[0, 5]
        from shapes in Gen.Int[0, 4].Array[0, 3].Array[count]
        from names in Gen.String[Gen.Char["abcé._- 0123456789"], 1, 12].Array[count]
        from data in Gen.Int[0, 1 << 20].Array[count]
        select shapes.Select((shape, i) => new NamedTensor($"{i}:{names[i]}", shape, Values(shape, data[i]))).ToArray();

    private static float[] Values(int[] shape, int seed)
    {
        Random random = new(seed);
        int n = shape.Aggregate(1, (a, b) => a * b);
        return [.. Enumerable.Range(0, n).Select(_ => BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue)))];
    }

    [Test]
    public void SafeTensorsRoundTripsEveryNameShapeAndBit()
    {
        string folder = Directory.CreateTempSubdirectory("ss-props-").FullName;
        try
        {
            int file = 0;
            Gen.Select(Tensors, Gen.String[Gen.Char["xyz=:é"], 0, 8]).Sample(t =>
            {
                (NamedTensor[] tensors, string meta) = t;
                string path = Path.Combine(folder, $"{Interlocked.Increment(ref file)}.safetensors");
                SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["note"] = meta });
                IReadOnlyDictionary<string, NamedTensor> back = SafeTensors.Load(path, out IReadOnlyDictionary<string, string> metadata);
                Assert.That(back.Keys, Is.EqualTo(tensors.Select(x => x.Name)));
                foreach (NamedTensor x in tensors)
                {
                    Assert.That(back[x.Name].Shape, Is.EqualTo(x.Shape), x.Name);
                    Assert.That(back[x.Name].Data.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(x.Data.Select(BitConverter.SingleToInt32Bits)), x.Name);
                }
                Assert.That(metadata["note"], Is.EqualTo(meta));
            }, iter: 400, threads: 1);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void AModuleCheckpointRestoresEveryParameter()
    {
        string folder = Directory.CreateTempSubdirectory("ss-props-").FullName;
        try
        {
            (from dim in Gen.Int[1, 4] from cin in Gen.Int[1, 4] from cout in Gen.Int[1, 4] from f in Gen.Int[1, 3] from seed in Gen.Int[0, 1000]
             select (dim, cin, cout, f, seed)).Sample(t =>
            {
                using Sequential saved = Network(t.dim, t.cin, t.cout, t.f, t.seed), loaded = Network(t.dim, t.cin, t.cout, t.f, t.seed + 1);
                string path = Path.Combine(folder, $"{t.seed}-{t.dim}.safetensors");
                ModuleCheckpoint.Save(saved, path);
                ModuleCheckpoint.Load(loaded, path);
                foreach (((string name, Parameter a), (_, Parameter b)) in saved.NamedParameters().Zip(loaded.NamedParameters()))
                    Assert.That(b.GetValues(), Is.EqualTo(a.GetValues()), name);
            }, iter: 150, threads: 1);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Sequential Network(int dim, int cin, int cout, int f, int seed) =>
        new(new Convolution(dim, cin, cout, f, seed: seed), new BatchNormalization(cout), new SubmanifoldConvolution(dim, cout, cin, 3, seed: seed + 7));
}
