using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using NUnit.Framework;
using SpatiallySparse.Serialization;

namespace SpatiallySparse.Tests.Serialization;

[TestFixture]
public sealed class SafeTensorsTests
{
    private string _dir = string.Empty;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "safetensors-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private string PathFor(string name) => Path.Combine(_dir, name);

    /// <summary>Builds a file image from a header string (not padded) and raw data bytes.</summary>
    private static byte[] BuildFile(string headerJson, byte[] data)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        byte[] file = new byte[8 + header.Length + data.Length];
        BitConverterLittleEndian((ulong)header.Length).CopyTo(file, 0);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    private static byte[] BitConverterLittleEndian(ulong value)
    {
        byte[] bytes = new byte[8];
        for (int i = 0; i < 8; i++)
        {
            bytes[i] = (byte)(value >> (8 * i));
        }

        return bytes;
    }

    private static byte[] FloatBytes(params float[] values)
    {
        byte[] bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    private string WriteRaw(string name, byte[] bytes)
    {
        string path = PathFor(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static SafeTensorsFormatException AssertCorrupt(string path, params string[] fragments)
    {
        SafeTensorsFormatException ex = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(path))!;
        Assert.That(ex.Message, Does.Contain(path), "message names the file");
        foreach (string fragment in fragments)
        {
            Assert.That(ex.Message, Does.Contain(fragment).IgnoreCase);
        }

        Assert.That(ex, Is.InstanceOf<IOException>());
        Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.ReadMetadata(path));
        return ex;
    }

    private static NamedTensor[] SampleTensors() =>
    [
        new NamedTensor("conv1.weight", [2, 3, 4], CreateData(24, 0.25f)),
        new NamedTensor("scalar", [], [3.5f]),
        new NamedTensor("empty", [0], []),
        new NamedTensor("empty2d", [3, 0], []),
        new NamedTensor("bias", [5], [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0.0f, float.Epsilon]),
        new NamedTensor("ünïcode/名前", [1, 1], [-1.0f]),
    ];

    private static float[] CreateData(int count, float scale)
    {
        float[] data = new float[count];
        for (int i = 0; i < count; i++)
        {
            data[i] = (i - (count / 2)) * scale;
        }

        return data;
    }

    [Test]
    public void RoundTripPreservesNamesShapesDataAndMetadata()
    {
        string path = PathFor("model.safetensors");
        NamedTensor[] tensors = SampleTensors();
        Dictionary<string, string> metadata = new() { ["format"] = "pt", ["epoch"] = "12", ["note"] = "héllo \"quoted\"" };

        SafeTensors.Save(path, tensors, metadata);
        IReadOnlyDictionary<string, NamedTensor> loaded = SafeTensors.Load(path);

        Assert.That(loaded, Has.Count.EqualTo(tensors.Length));
        Assert.That(loaded.Keys, Is.EqualTo(new[] { "conv1.weight", "scalar", "empty", "empty2d", "bias", "ünïcode/名前" }));
        foreach (NamedTensor expected in tensors)
        {
            NamedTensor actual = loaded[expected.Name];
            Assert.That(actual.Name, Is.EqualTo(expected.Name));
            Assert.That(actual.Shape, Is.EqualTo(expected.Shape), expected.Name);
            Assert.That(actual.Data.Length, Is.EqualTo(expected.Data.Length), expected.Name);
            for (int i = 0; i < expected.Data.Length; i++)
            {
                Assert.That(BitConverter.SingleToInt32Bits(actual.Data[i]), Is.EqualTo(BitConverter.SingleToInt32Bits(expected.Data[i])), $"{expected.Name}[{i}]");
            }
        }

        Assert.That(loaded["scalar"].Shape, Is.Empty);
        Assert.That(loaded["scalar"].Data, Is.EqualTo(new[] { 3.5f }));
        Assert.That(SafeTensors.ReadMetadata(path), Is.EquivalentTo(metadata));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1), "no temp files left behind");
    }

    [Test]
    public void RoundTripWithoutMetadataReadMetadataIsEmpty()
    {
        string path = PathFor("nometa.safetensors");
        SafeTensors.Save(path, [new NamedTensor("w", [2], [1f, 2f])]);
        Assert.That(SafeTensors.ReadMetadata(path), Is.Empty);
        Assert.That(SafeTensors.Load(path)["w"].Data, Is.EqualTo(new[] { 1f, 2f }));
    }

    [Test]
    public void RoundTripNoTensors()
    {
        string path = PathFor("none.safetensors");
        SafeTensors.Save(path, [], new Dictionary<string, string> { ["k"] = "v" });
        Assert.That(SafeTensors.Load(path), Is.Empty);
        Assert.That(SafeTensors.ReadMetadata(path)["k"], Is.EqualTo("v"));
    }

    [Test]
    public void SaveProducesStandardBytesGolden()
    {
        // Built by hand from the spec: u64 LE header length, JSON header padded with spaces to a
        // multiple of 8, then the F32 little-endian data, tensors contiguous in order.
        const string Json = "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}";
        Assert.That(Encoding.ASCII.GetByteCount(Json), Is.EqualTo(138));
        List<byte> expected = new();
        expected.AddRange(new byte[] { 0x90, 0, 0, 0, 0, 0, 0, 0 }); // 144 = 138 + 6 spaces
        expected.AddRange(Encoding.ASCII.GetBytes(Json + "      "));
        expected.AddRange(new byte[] { 0x00, 0x00, 0x80, 0x3F }); // 1.0f
        expected.AddRange(new byte[] { 0x00, 0x00, 0x00, 0xC0 }); // -2.0f
        expected.AddRange(new byte[] { 0x00, 0x00, 0x00, 0x3F }); // 0.5f

        string path = PathFor("golden.safetensors");
        SafeTensors.Save(
            path,
            [new NamedTensor("a", [2], [1.0f, -2.0f]), new NamedTensor("b", [], [0.5f])],
            new Dictionary<string, string> { ["format"] = "pt" });

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(expected.ToArray()));
    }

    [Test]
    public void LoadAcceptsReferenceStyleFileUnpaddedMetadataLastAndKeysReordered()
    {
        string json = "{\"b\":{\"shape\":[1],\"data_offsets\":[8,12],\"dtype\":\"F32\"},"
            + "\"a\":{\"data_offsets\":[0,8],\"dtype\":\"F32\",\"shape\":[2,1]},"
            + "\"__metadata__\":{\"x\":\"y\"}}";
        string path = WriteRaw("ref.safetensors", BuildFile(json, FloatBytes(1f, 2f, 3f)));

        IReadOnlyDictionary<string, NamedTensor> loaded = SafeTensors.Load(path);
        Assert.That(loaded["a"].Shape, Is.EqualTo(new[] { 2, 1 }));
        Assert.That(loaded["a"].Data, Is.EqualTo(new[] { 1f, 2f }));
        Assert.That(loaded["b"].Data, Is.EqualTo(new[] { 3f }));
        Assert.That(SafeTensors.ReadMetadata(path)["x"], Is.EqualTo("y"));
    }

    [Test]
    public void LoadTruncatedFileAtSeveralCutPointsThrows()
    {
        string path = PathFor("full.safetensors");
        SafeTensors.Save(path, SampleTensors(), new Dictionary<string, string> { ["k"] = "v" });
        byte[] full = File.ReadAllBytes(path);
        long headerLength = BitConverter.ToInt64(full, 0);

        int[] cuts = [0, 1, 7, 8, 9, (int)headerLength / 2, 8 + (int)headerLength - 1, 8 + (int)headerLength, 8 + (int)headerLength + 3, full.Length - 4, full.Length - 1];
        foreach (int cut in cuts)
        {
            string cutPath = WriteRaw($"cut{cut}.safetensors", full.AsSpan(0, cut).ToArray());
            SafeTensorsFormatException ex = AssertCorrupt(cutPath);
            if (cut < 8)
            {
                Assert.That(ex.Message, Does.Contain($"{cut} byte(s)"));
            }
            else if (cut >= 8 + headerLength)
            {
                Assert.That(ex.Message, Does.Contain("truncated").And.Contain($"{full.Length} bytes").And.Contain($"{cut} bytes"), $"cut {cut}");
            }
        }
    }

    [Test]
    public void AHeaderWithInvalidTextIsAFormatErrorNotAnInvalidOperation()
    {
        // Found by the fuzzer (tests/SpatiallySparse.Fuzz/findings/checkpoint): a name with a byte that is not
        // UTF-8 passed the JSON parser and made GetString throw InvalidOperationException.
        byte[] data = FloatBytes(1f);
        byte[] valid = BuildFile("{\"aX\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data);
        valid[8 + 3] = 0xFF;
        AssertCorrupt(WriteRaw("utf8", valid), "UTF-8");
        AssertCorrupt(WriteRaw("surrogate", BuildFile("{\"a\\ud800\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data)), "not valid text");
    }

    [Test]
    public void LoadCorruptedHeaderJsonThrows()
    {
        byte[] data = FloatBytes(1f);
        AssertCorrupt(WriteRaw("bad1", BuildFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]", data)), "JSON");
        AssertCorrupt(WriteRaw("bad2", BuildFile("{\"a\":{\"dtype\":\"F32\",,\"shape\":[1],\"data_offsets\":[0,4]}}", data)), "JSON");
        AssertCorrupt(WriteRaw("bad3", BuildFile("[1,2,3]", data)), "not an object");
        AssertCorrupt(WriteRaw("bad4", BuildFile("\0\0\0\0", data)), "JSON");
        AssertCorrupt(WriteRaw("bad5", BuildFile("{\"a\":[0,4]}", data)), "'a'");
        AssertCorrupt(WriteRaw("bad6", BuildFile("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", data)), "dtype");
        AssertCorrupt(WriteRaw("bad7", BuildFile("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", data)), "shape");
        AssertCorrupt(WriteRaw("bad8", BuildFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", data)), "data_offsets");
        AssertCorrupt(WriteRaw("bad9", BuildFile("{\"a\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", data)), "dtype");
        AssertCorrupt(WriteRaw("bad10", BuildFile("{\"a\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", data)), "shape");
        AssertCorrupt(WriteRaw("bad11", BuildFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", data)), "shape");
        AssertCorrupt(WriteRaw("bad12", BuildFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", data)), "shape");
        AssertCorrupt(WriteRaw("bad13", BuildFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", data)), "data_offsets");
        AssertCorrupt(WriteRaw("bad14", BuildFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"0\",4]}}", data)), "data_offsets");
        AssertCorrupt(WriteRaw("bad15", BuildFile("{\"__metadata__\":{\"k\":1}}", [])), "metadata");
        AssertCorrupt(WriteRaw("bad16", BuildFile("{\"__metadata__\":[]}", [])), "__metadata__");
        AssertCorrupt(
            WriteRaw("bad17", BuildFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data)),
            "more than once");
        AssertCorrupt(WriteRaw("bad18", BuildFile(string.Empty, data)), "empty");
    }

    [Test]
    public void LoadWrongDtypeThrowsNamingTheDtype()
    {
        string path = WriteRaw("f16", BuildFile("{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]));
        AssertCorrupt(path, "'h'", "F16", "F32");
    }

    [Test]
    public void LoadBadOffsetsThrows()
    {
        const string A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":";
        const string B = "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":";
        byte[] twelve = FloatBytes(1f, 2f, 3f);

        // end - begin != 4 * product(shape)
        AssertCorrupt(WriteRaw("size", BuildFile("{" + A + "[0,12]}}", twelve)), "'a'", "8 bytes", "12 bytes");
        // end before begin
        AssertCorrupt(WriteRaw("reversed", BuildFile("{" + A + "[8,0]}," + B + "[8,12]}}", twelve)), "'a'");
        // overlapping
        AssertCorrupt(WriteRaw("overlap", BuildFile("{" + A + "[0,8]}," + B + "[4,8]}}", twelve)), "overlap");
        // gap at the start / between tensors
        AssertCorrupt(WriteRaw("gapstart", BuildFile("{" + B + "[4,8]}}", FloatBytes(1f, 2f))), "gap");
        AssertCorrupt(WriteRaw("gap", BuildFile("{" + B + "[0,4]}," + A + "[8,16]}}", FloatBytes(1f, 2f, 3f, 4f))), "gap");
        // offsets beyond the buffer (file shorter than the header says)
        AssertCorrupt(WriteRaw("beyond", BuildFile("{" + A + "[0,8]}," + B + "[8,12]}}", FloatBytes(1f, 2f))), "truncated", "128 bytes", "124 bytes");
        // trailing garbage after the last tensor
        AssertCorrupt(WriteRaw("trailing", BuildFile("{" + A + "[0,8]}}", twelve)), "trailing", "4 bytes");
        // negative / non-integer offsets
        AssertCorrupt(WriteRaw("negative", BuildFile("{" + A + "[-8,0]}}", [])), "data_offsets");
        AssertCorrupt(WriteRaw("fraction", BuildFile("{" + A + "[0,8.0]}}", FloatBytes(1f, 2f))), "data_offsets");
        // huge shape whose byte size overflows
        AssertCorrupt(
            WriteRaw("overflow", BuildFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,4]}}", FloatBytes(1f))),
            "overflow");
    }

    [Test]
    public void LoadHeaderLengthTooLargeThrows()
    {
        byte[] small = BuildFile("{}", []);
        BitConverterLittleEndian(1000).CopyTo(small, 0);
        AssertCorrupt(WriteRaw("toolarge", small), "1000", "larger than the file");

        byte[] absurd = BuildFile("{}", []);
        BitConverterLittleEndian(ulong.MaxValue).CopyTo(absurd, 0);
        AssertCorrupt(WriteRaw("absurd", absurd), "limit");

        byte[] justOver = BuildFile("{}", []);
        BitConverterLittleEndian(100_000_001).CopyTo(justOver, 0);
        AssertCorrupt(WriteRaw("justover", justOver), "limit");
    }

    [Test]
    public void LoadMissingFileThrowsFileNotFound()
    {
        string path = PathFor("missing.safetensors");
        Assert.Throws<FileNotFoundException>(() => SafeTensors.Load(path));
        Assert.Throws<FileNotFoundException>(() => SafeTensors.ReadMetadata(path));
    }

    [Test]
    public void SaveInvalidInputThrowsBeforeReplacingExistingFileAndLeavesNoTempFiles()
    {
        string path = PathFor("ckpt.safetensors");
        SafeTensors.Save(path, [new NamedTensor("w", [2], [1f, 2f])]);
        byte[] original = File.ReadAllBytes(path);

        NamedTensor good = new("good", [1], [1f]);
        (NamedTensor[] Tensors, string Fragment)[] cases =
        [
            ([good, new NamedTensor("bad", [2, 2], [1f, 2f, 3f])], "'bad'"),
            ([good, new NamedTensor("neg", [-1, 2], [1f])], "'neg'"),
            ([good, new NamedTensor("good", [1], [2f])], "'good'"),
            ([good, new NamedTensor(string.Empty, [1], [2f])], "empty"),
            ([good, new NamedTensor("__metadata__", [1], [2f])], "__metadata__"),
        ];
        foreach ((NamedTensor[] tensors, string fragment) in cases)
        {
            ArgumentException ex = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, tensors))!;
            Assert.That(ex.Message, Does.Contain(fragment));
        }

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(original));
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }), "no temp files left behind");
    }

    [Test]
    public void SaveFailureAfterTempFileWrittenCleansUpTempFile()
    {
        // The destination is an existing directory, so the final move fails after the temp file is complete.
        string target = PathFor("is-a-directory");
        Directory.CreateDirectory(target);

        Assert.That(
            () => SafeTensors.Save(target, [new NamedTensor("w", [1], [1f])]),
            Throws.InstanceOf<IOException>().Or.InstanceOf<UnauthorizedAccessException>());
        Assert.That(Directory.Exists(target), Is.True);
        Assert.That(Directory.GetFiles(_dir), Is.Empty, "no temp files left behind");
    }

    [Test]
    public void SaveOverwritesExistingFile()
    {
        string path = PathFor("over.safetensors");
        SafeTensors.Save(path, [new NamedTensor("w", [3], [1f, 2f, 3f])]);
        SafeTensors.Save(path, [new NamedTensor("v", [1], [9f])]);

        IReadOnlyDictionary<string, NamedTensor> loaded = SafeTensors.Load(path);
        Assert.That(loaded.Keys, Is.EqualTo(new[] { "v" }));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1));
    }
}
