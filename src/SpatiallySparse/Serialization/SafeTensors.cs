using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SpatiallySparse.Serialization;

/// <summary>
/// A named, dense float32 tensor as stored in a safetensors file.
/// </summary>
/// <param name="Name">The tensor name (the key in the safetensors header). Must be non-empty and must not be <c>__metadata__</c>.</param>
/// <param name="Shape">The dimensions, outermost first. An empty array denotes a 0-d scalar (one element).</param>
/// <param name="Data">The elements in row-major (C) order; <c>Data.Length</c> must equal the product of <paramref name="Shape"/>.</param>
public sealed record NamedTensor(string Name, int[] Shape, float[] Data);

/// <summary>
/// Thrown when a safetensors file is corrupt, truncated, or uses features this reader does not support
/// (for example a dtype other than <c>F32</c>). The message names the file and the problem.
/// </summary>
/// <remarks>
/// Derives from <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed), so callers that
/// handle I/O failures of a load also handle corrupt files.
/// </remarks>
public sealed class SafeTensorsFormatException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public SafeTensorsFormatException()
        : base("Invalid safetensors file.")
    {
    }

    /// <summary>Creates the exception with the given message.</summary>
    /// <param name="message">A description of the problem, naming the file.</param>
    public SafeTensorsFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the given message and the exception that caused it.</summary>
    /// <param name="message">A description of the problem, naming the file.</param>
    /// <param name="innerException">The underlying cause.</param>
    public SafeTensorsFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Reads and writes float32 tensors in the Hugging Face safetensors format: an 8-byte little-endian
/// unsigned header length <c>N</c>, then <c>N</c> bytes of UTF-8 JSON describing each tensor
/// (<c>dtype</c>, <c>shape</c>, <c>data_offsets</c> relative to the data buffer) plus an optional
/// <c>__metadata__</c> string map, then the tensors' little-endian bytes, contiguous and without gaps.
/// </summary>
/// <remarks>
/// Files written by <see cref="Save"/> are readable by the reference implementation and vice versa
/// (for F32 tensors). Only the <c>F32</c> dtype is supported.
/// </remarks>
public static class SafeTensors
{
    /// <summary>The header key reserved for the free-form string metadata map.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Headers larger than this (in bytes) are rejected as corrupt, as in the reference implementation.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const int LengthPrefixBytes = 8;
    private const int HeaderAlignment = 8;
    private const int BytesPerElement = sizeof(float);
    private const int ConversionChunkElements = 16 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        // Keep non-ASCII names readable as raw UTF-8; the output is still valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonDocumentOptions ReaderOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
    };

    /// <summary>
    /// Atomically writes <paramref name="tensors"/> (in the given order) and optional string metadata to
    /// <paramref name="path"/>. The file is first written to a temporary file in the same folder, flushed
    /// to disk, then moved over <paramref name="path"/>; on any failure the temporary file is deleted and
    /// an existing file at <paramref name="path"/> is left untouched.
    /// </summary>
    /// <param name="path">The destination file. Its folder must exist.</param>
    /// <param name="tensors">The tensors to store; names must be unique.</param>
    /// <param name="metadata">Optional string-to-string metadata stored under <c>__metadata__</c>; omitted when null or empty.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="tensors"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="path"/> is empty, or a tensor is null, has a null/empty/duplicate name, is named
    /// <c>__metadata__</c>, has a null shape or data, a negative dimension, or a data length that does not
    /// match its shape; or a metadata value is null. The message names the offending tensor.
    /// </exception>
    /// <exception cref="IOException">Writing or replacing the file failed.</exception>
    public static void Save(string path, IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        if (path.Length == 0)
        {
            throw new ArgumentException("The path must not be empty.", nameof(path));
        }

        List<NamedTensor> list = ValidateTensors(tensors);
        List<KeyValuePair<string, string>> sortedMetadata = ValidateMetadata(metadata);
        byte[] header = BuildHeader(list, sortedMetadata);

        string fullPath = Path.GetFullPath(path);
        string tempPath = fullPath + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (FileStream stream = new(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
                stream.Write(prefix);
                stream.Write(header);
                foreach (NamedTensor tensor in list)
                {
                    WriteFloatsLittleEndian(stream, tensor.Data);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }
    }

    /// <summary>
    /// Loads every tensor of a float32 safetensors file, validating the whole file first.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The tensors keyed by name (ordinal comparison), enumerated in header order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is corrupt, truncated, or contains a dtype other than F32.</exception>
    public static IReadOnlyDictionary<string, NamedTensor> Load(string path) => Load(path, out _);

    /// <summary>
    /// Loads every tensor as <see cref="Load(string)"/> does and returns the file's <c>__metadata__</c> map from
    /// the same read, so a caller needing both opens and parses the file once.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <param name="metadata">The metadata (ordinal keys); empty when the file has none.</param>
    /// <returns>The tensors keyed by name (ordinal comparison), enumerated in header order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is corrupt, truncated, or contains a dtype other than F32.</exception>
    public static IReadOnlyDictionary<string, NamedTensor> Load(string path, out IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(path);
        using FileStream stream = OpenForRead(path);
        ParsedHeader parsed = ReadHeader(stream, path);
        metadata = new ReadOnlyDictionary<string, string>(parsed.Metadata);

        // The entries are validated to be contiguous, so read them in data order with sequential reads.
        TensorEntry[] byOffset = parsed.Tensors.ToArray();
        Array.Sort(byOffset, CompareByOffsets);
        Dictionary<string, float[]> data = new(byOffset.Length, StringComparer.Ordinal);
        try
        {
            foreach (TensorEntry entry in byOffset)
            {
                float[] values = new float[entry.ElementCount];
                ReadFloatsLittleEndian(stream, values);
                data.Add(entry.Name, values);
            }
        }
        catch (EndOfStreamException ex)
        {
            throw Corrupt(path, "the file ended while reading tensor data (was it truncated while being read?)", ex);
        }

        Dictionary<string, NamedTensor> result = new(parsed.Tensors.Count, StringComparer.Ordinal);
        foreach (TensorEntry entry in parsed.Tensors)
        {
            result.Add(entry.Name, new NamedTensor(entry.Name, entry.Shape, data[entry.Name]));
        }

        return new ReadOnlyDictionary<string, NamedTensor>(result);
    }

    /// <summary>
    /// Reads the <c>__metadata__</c> string map of a safetensors file without reading tensor data.
    /// The header and the file's size are validated as in <see cref="Load(string)"/>.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The metadata (ordinal keys); empty when the file has none.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is corrupt, truncated, or contains a dtype other than F32.</exception>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using FileStream stream = OpenForRead(path);
        ParsedHeader parsed = ReadHeader(stream, path);
        return new ReadOnlyDictionary<string, string>(parsed.Metadata);
    }

    private static List<NamedTensor> ValidateTensors(IEnumerable<NamedTensor> tensors)
    {
        List<NamedTensor> list = new();
        HashSet<string> names = new(StringComparer.Ordinal);
        int index = 0;
        foreach (NamedTensor? tensor in tensors)
        {
            if (tensor is null)
            {
                throw new ArgumentException($"Tensor #{index} is null.", nameof(tensors));
            }

            if (tensor.Name is null || tensor.Name.Length == 0)
            {
                throw new ArgumentException($"Tensor #{index} has an empty name.", nameof(tensors));
            }

            string name = tensor.Name;
            if (name == MetadataKey)
            {
                throw new ArgumentException($"Tensor #{index} uses the reserved name '{MetadataKey}'.", nameof(tensors));
            }

            if (!names.Add(name))
            {
                throw new ArgumentException($"Duplicate tensor name '{name}'.", nameof(tensors));
            }

            if (tensor.Shape is null)
            {
                throw new ArgumentException($"Tensor '{name}' has a null shape.", nameof(tensors));
            }

            if (tensor.Data is null)
            {
                throw new ArgumentException($"Tensor '{name}' has null data.", nameof(tensors));
            }

            long count = 1;
            foreach (int dim in tensor.Shape)
            {
                if (dim < 0)
                {
                    throw new ArgumentException(
                        $"Tensor '{name}' has a negative dimension in shape {FormatShape(tensor.Shape)}.", nameof(tensors));
                }

                count = count > 0 && dim > long.MaxValue / count ? long.MaxValue : count * dim;
            }

            if (count != tensor.Data.Length)
            {
                throw new ArgumentException(
                    $"Tensor '{name}' has shape {FormatShape(tensor.Shape)} ({count} elements) but {tensor.Data.Length} data values.",
                    nameof(tensors));
            }

            list.Add(tensor);
            index++;
        }

        return list;
    }

    private static List<KeyValuePair<string, string>> ValidateMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        List<KeyValuePair<string, string>> result = new();
        if (metadata is null)
        {
            return result;
        }

        foreach (KeyValuePair<string, string> pair in metadata)
        {
            if (pair.Key is null)
            {
                throw new ArgumentException("Metadata contains a null key.", nameof(metadata));
            }

            if (pair.Value is null)
            {
                throw new ArgumentException($"Metadata value for key '{pair.Key}' is null.", nameof(metadata));
            }

            result.Add(pair);
        }

        // Sorted so that the same inputs always produce the same bytes.
        result.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return result;
    }

    private static byte[] BuildHeader(List<NamedTensor> tensors, List<KeyValuePair<string, string>> metadata)
    {
        ArrayBufferWriter<byte> buffer = new();
        using (Utf8JsonWriter writer = new(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            if (metadata.Count > 0)
            {
                writer.WriteStartObject(MetadataKey);
                foreach (KeyValuePair<string, string> pair in metadata)
                {
                    writer.WriteString(pair.Key, pair.Value);
                }

                writer.WriteEndObject();
            }

            long offset = 0;
            foreach (NamedTensor tensor in tensors)
            {
                long end = offset + ((long)tensor.Data.Length * BytesPerElement);
                writer.WriteStartObject(tensor.Name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (int dim in tensor.Shape)
                {
                    writer.WriteNumberValue(dim);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(end);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset = end;
            }

            writer.WriteEndObject();
        }

        // Pad with spaces so that the data buffer starts 8-byte aligned (as the reference writer does).
        int length = buffer.WrittenCount;
        int padded = (length + HeaderAlignment - 1) / HeaderAlignment * HeaderAlignment;
        byte[] header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    private static void WriteFloatsLittleEndian(Stream stream, float[] data)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
            return;
        }

        byte[] chunk = new byte[Math.Min(data.Length, ConversionChunkElements) * BytesPerElement];
        for (int start = 0; start < data.Length; start += ConversionChunkElements)
        {
            int count = Math.Min(ConversionChunkElements, data.Length - start);
            for (int i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(chunk.AsSpan(i * BytesPerElement), data[start + i]);
            }

            stream.Write(chunk, 0, count * BytesPerElement);
        }
    }

    private static void ReadFloatsLittleEndian(Stream stream, float[] values)
    {
        Span<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan());
        stream.ReadExactly(bytes);
        if (!BitConverter.IsLittleEndian)
        {
            Span<int> words = MemoryMarshal.Cast<float, int>(values.AsSpan());
            BinaryPrimitives.ReverseEndianness(words, words);
        }
    }

    private static FileStream OpenForRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);

    private static ParsedHeader ReadHeader(FileStream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < LengthPrefixBytes)
        {
            throw Corrupt(path, $"the file is only {fileLength} byte(s) long, shorter than the {LengthPrefixBytes}-byte header length prefix (truncated?)");
        }

        Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
        ReadExactlyOrThrow(stream, prefix, path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)MaxHeaderBytes)
        {
            throw Corrupt(path, $"the header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");
        }

        if (headerLength > (ulong)(fileLength - LengthPrefixBytes))
        {
            throw Corrupt(path,
                $"the header length {headerLength} is larger than the file: expected at least {LengthPrefixBytes + (long)headerLength} bytes but the file has {fileLength} (truncated?)");
        }

        if (headerLength == 0)
        {
            throw Corrupt(path, "the header is empty (length 0)");
        }

        byte[] headerBytes = new byte[(int)headerLength];
        ReadExactlyOrThrow(stream, headerBytes, path);
        long bufferLength = fileLength - LengthPrefixBytes - (long)headerLength;

        // The JSON reader checks UTF-8 only where it transcodes a string, and then throws InvalidOperationException.
        if (!System.Text.Unicode.Utf8.IsValid(headerBytes))
            throw Corrupt(path, "the header is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes, ReaderOptions);
        }
        catch (JsonException ex)
        {
            throw Corrupt(path, $"the header is not valid JSON ({ex.Message})", ex);
        }
        catch (ArgumentException ex)
        {
            throw Corrupt(path, $"the header is not valid UTF-8 JSON ({ex.Message})", ex);
        }

        using (document)
        {
            try
            {
                return ParseHeader(document.RootElement, path, fileLength, (long)headerLength, bufferLength);
            }
            catch (InvalidOperationException ex)
            {
                // E.g. an escaped lone surrogate (\ud800) in a name: valid JSON, not a valid string.
                throw Corrupt(path, $"the header holds a string that is not valid text ({ex.Message})", ex);
            }
        }
    }

    private static ParsedHeader ParseHeader(JsonElement root, string path, long fileLength, long headerLength, long bufferLength)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Corrupt(path, $"the header JSON is {Describe(root.ValueKind)}, not an object");
        }

        List<TensorEntry> tensors = new();
        Dictionary<string, string> metadata = new(StringComparer.Ordinal);
        HashSet<string> seen = new(StringComparer.Ordinal);
        foreach (JsonProperty property in root.EnumerateObject())
        {
            string name = property.Name;
            if (!seen.Add(name))
            {
                throw Corrupt(path, $"the header contains the key '{name}' more than once");
            }

            if (name == MetadataKey)
            {
                ParseMetadata(property.Value, path, metadata);
            }
            else
            {
                tensors.Add(ParseTensor(name, property.Value, path));
            }
        }

        ValidateLayout(tensors, path, fileLength, headerLength, bufferLength);
        return new ParsedHeader(tensors, metadata);
    }

    private static void ParseMetadata(JsonElement value, string path, Dictionary<string, string> metadata)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Corrupt(path, $"'{MetadataKey}' is {Describe(value.ValueKind)}, not an object of strings");
        }

        foreach (JsonProperty entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw Corrupt(path, $"metadata value for key '{entry.Name}' is {Describe(entry.Value.ValueKind)}, not a string");
            }

            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
            {
                throw Corrupt(path, $"metadata key '{entry.Name}' appears more than once");
            }
        }
    }

    private static TensorEntry ParseTensor(string name, JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Corrupt(path, $"the header entry for tensor '{name}' is {Describe(value.ValueKind)}, not an object");
        }

        if (!value.TryGetProperty("dtype", out JsonElement dtypeElement))
        {
            throw Corrupt(path, $"tensor '{name}' has no 'dtype'");
        }

        if (dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw Corrupt(path, $"tensor '{name}' has a 'dtype' that is {Describe(dtypeElement.ValueKind)}, not a string");
        }

        string dtype = dtypeElement.GetString()!;
        if (dtype != "F32")
        {
            throw Corrupt(path, $"tensor '{name}' has dtype '{dtype}'; only F32 is supported");
        }

        if (!value.TryGetProperty("shape", out JsonElement shapeElement))
        {
            throw Corrupt(path, $"tensor '{name}' has no 'shape'");
        }

        if (shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw Corrupt(path, $"tensor '{name}' has a 'shape' that is {Describe(shapeElement.ValueKind)}, not an array");
        }

        int[] shape = new int[shapeElement.GetArrayLength()];
        int d = 0;
        foreach (JsonElement dimElement in shapeElement.EnumerateArray())
        {
            if (dimElement.ValueKind != JsonValueKind.Number || !dimElement.TryGetInt32(out int dim) || dim < 0)
            {
                throw Corrupt(path, $"tensor '{name}' has shape dimension {d} = {dimElement.GetRawText()}, which is not a non-negative 32-bit integer");
            }

            shape[d++] = dim;
        }

        if (!value.TryGetProperty("data_offsets", out JsonElement offsetsElement))
        {
            throw Corrupt(path, $"tensor '{name}' has no 'data_offsets'");
        }

        if (offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
        {
            throw Corrupt(path, $"tensor '{name}' has 'data_offsets' {offsetsElement.GetRawText()}, not an array of two integers");
        }

        JsonElement beginElement = offsetsElement[0];
        JsonElement endElement = offsetsElement[1];
        if (beginElement.ValueKind != JsonValueKind.Number || !beginElement.TryGetInt64(out long begin) || begin < 0
            || endElement.ValueKind != JsonValueKind.Number || !endElement.TryGetInt64(out long end) || end < 0)
        {
            throw Corrupt(path, $"tensor '{name}' has 'data_offsets' {offsetsElement.GetRawText()}, not two non-negative integers");
        }

        if (end < begin)
        {
            throw Corrupt(path, $"tensor '{name}' has data_offsets [{begin},{end}] with end before begin");
        }

        long count = 1;
        foreach (int dim in shape)
        {
            count = count > 0 && dim > long.MaxValue / BytesPerElement / count ? -1 : count * dim;
            if (count < 0)
            {
                throw Corrupt(path, $"tensor '{name}' has shape {FormatShape(shape)} whose size overflows");
            }
        }

        long expectedBytes = count * BytesPerElement;
        if (end - begin != expectedBytes)
        {
            throw Corrupt(path,
                $"tensor '{name}' has shape {FormatShape(shape)} ({count} F32 elements = {expectedBytes} bytes) but data_offsets [{begin},{end}] span {end - begin} bytes");
        }

        if (count > Array.MaxLength)
        {
            throw Corrupt(path, $"tensor '{name}' has {count} elements, more than a single array can hold");
        }

        return new TensorEntry(name, shape, (int)count, begin, end);
    }

    private static void ValidateLayout(List<TensorEntry> tensors, string path, long fileLength, long headerLength, long bufferLength)
    {
        TensorEntry[] sorted = tensors.ToArray();
        Array.Sort(sorted, CompareByOffsets);
        long position = 0;
        TensorEntry? previous = null;
        foreach (TensorEntry entry in sorted)
        {
            if (entry.Begin < position)
            {
                throw Corrupt(path,
                    $"tensor '{entry.Name}' data_offsets [{entry.Begin},{entry.End}] overlap tensor '{previous!.Name}' [{previous.Begin},{previous.End}]");
            }

            if (entry.Begin > position)
            {
                string after = previous is null ? "the start of the data buffer" : $"tensor '{previous.Name}' (ends at {previous.End})";
                throw Corrupt(path,
                    $"there is a gap of {entry.Begin - position} bytes before tensor '{entry.Name}' (begins at {entry.Begin}) after {after}; tensors must be contiguous");
            }

            position = entry.End;
            previous = entry;
        }

        if (position > bufferLength)
        {
            long expected = LengthPrefixBytes + headerLength + position;
            throw Corrupt(path,
                $"the file is truncated: the header describes {position} bytes of tensor data, so the file should be {expected} bytes, but it is {fileLength} bytes");
        }

        if (position < bufferLength)
        {
            throw Corrupt(path,
                $"there are {bufferLength - position} bytes of trailing garbage after the last tensor (data buffer is {bufferLength} bytes, tensors cover {position})");
        }
    }

    private static int CompareByOffsets(TensorEntry a, TensorEntry b)
    {
        int byBegin = a.Begin.CompareTo(b.Begin);
        return byBegin != 0 ? byBegin : a.End.CompareTo(b.End);
    }

    private static void ReadExactlyOrThrow(Stream stream, Span<byte> buffer, string path)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException ex)
        {
            throw Corrupt(path, "the file ended unexpectedly while reading the header (was it truncated while being read?)", ex);
        }
    }

    private static SafeTensorsFormatException Corrupt(string path, string problem) =>
        new($"Invalid safetensors file '{path}': {problem}.");

    private static SafeTensorsFormatException Corrupt(string path, string problem, Exception inner) =>
        new($"Invalid safetensors file '{path}': {problem}.", inner);

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };

    private static string FormatShape(int[] shape) => "[" + string.Join(",", shape) + "]";

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed record TensorEntry(string Name, int[] Shape, int ElementCount, long Begin, long End);

    private sealed record ParsedHeader(List<TensorEntry> Tensors, Dictionary<string, string> Metadata);
}
