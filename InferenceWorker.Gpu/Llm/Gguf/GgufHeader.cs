using System.Text;

namespace BenchPlatform.InferenceWorker.Llm.Gguf;

/// <summary>
/// A GGUF file's header read and checked before llama.cpp sees the file: magic and version, every metadata entry and
/// tensor description within the file, and the tensor data not cut short. Keeps the few values the worker needs.
/// </summary>
internal sealed class GgufHeader
{
    private const int MaxStringBytes = 64 << 20;

    private GgufHeader(string architecture, string? chatTemplate, long tensorCount)
    {
        Architecture = architecture;
        ChatTemplate = chatTemplate;
        TensorCount = tensorCount;
    }

    /// <summary><c>general.architecture</c>.</summary>
    public string Architecture { get; }

    /// <summary><c>tokenizer.chat_template</c>, when the file has one.</summary>
    public string? ChatTemplate { get; }

    public long TensorCount { get; }

    /// <summary>Reads the header of <paramref name="path"/>; throws <see cref="InvalidDataException"/> saying what is wrong (without the path).</summary>
    public static GgufHeader Read(string path)
    {
        using var stream = File.OpenRead(path);
        var length = stream.Length;
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            if (length < 24 || !reader.ReadBytes(4).AsSpan().SequenceEqual("GGUF"u8))
            {
                throw new InvalidDataException("The file is not a GGUF model (it does not start with the GGUF magic); send a .gguf file as written by llama.cpp's convert_hf_to_gguf.py.");
            }

            var version = reader.ReadUInt32();
            if (version is < 2 or > 3)
            {
                throw new InvalidDataException($"GGUF version {version} is not supported; versions 2 and 3 are (re-convert with a current llama.cpp).");
            }

            var tensors = checked((long)reader.ReadUInt64());
            var entries = checked((long)reader.ReadUInt64());
            if (tensors > length || entries > length)
            {
                throw new InvalidDataException("The GGUF header is corrupt (its counts exceed the file size); send the file again.");
            }

            string? architecture = null, template = null;
            long alignment = 32;
            for (var i = 0; i < entries; i++)
            {
                var key = ReadString(reader, length);
                var type = (GgufType)reader.ReadUInt32();
                switch (key)
                {
                    case "general.architecture" when type == GgufType.String:
                        architecture = ReadString(reader, length);
                        break;
                    case "tokenizer.chat_template" when type == GgufType.String:
                        template = ReadString(reader, length);
                        break;
                    case "general.alignment" when type == GgufType.UInt32:
                        alignment = reader.ReadUInt32();
                        break;
                    default:
                        Skip(reader, type, length);
                        break;
                }
            }

            if (architecture is null)
            {
                throw new InvalidDataException("The GGUF file has no general.architecture; it was not written by a llama.cpp converter.");
            }

            if (alignment <= 0 || alignment > 1 << 20)
            {
                throw new InvalidDataException("The GGUF header is corrupt (general.alignment); send the file again.");
            }

            long end = 0;
            for (var t = 0; t < tensors; t++)
            {
                ReadString(reader, length);
                var dims = reader.ReadUInt32();
                if (dims is 0 or > 4)
                {
                    throw new InvalidDataException("The GGUF tensor table is corrupt (a tensor with more than 4 dimensions); send the file again.");
                }

                long elements = 1;
                for (var d = 0; d < dims; d++)
                {
                    elements = checked(elements * (long)reader.ReadUInt64());
                }

                var ggmlType = reader.ReadUInt32();
                var offset = checked((long)reader.ReadUInt64());
                end = Math.Max(end, checked(offset + Bytes(ggmlType, elements)));
            }

            var dataStart = (stream.Position + alignment - 1) / alignment * alignment;
            if (dataStart + end > length)
            {
                throw new InvalidDataException($"The GGUF file is truncated: its tensors need {dataStart + end} bytes, the file has {length}; upload the whole file again.");
            }

            return new GgufHeader(architecture, template, tensors);
        }
        catch (Exception e) when (e is EndOfStreamException or OverflowException)
        {
            throw new InvalidDataException($"The GGUF file is truncated or corrupt ({length} bytes end inside its header); upload the whole file again.", e);
        }
    }

    // Bytes of a tensor of this GGML type; 0 for types not listed (their size is not checked).
    private static long Bytes(uint type, long elements) => type switch
    {
        0 => elements * 4, // F32
        1 or 30 => elements * 2, // F16, BF16
        2 => elements / 32 * 18, // Q4_0
        3 => elements / 32 * 20, // Q4_1
        6 => elements / 32 * 22, // Q5_0
        7 => elements / 32 * 24, // Q5_1
        8 => elements / 32 * 34, // Q8_0
        10 => elements / 256 * 84, // Q2_K
        11 => elements / 256 * 110, // Q3_K
        12 => elements / 256 * 144, // Q4_K
        13 => elements / 256 * 176, // Q5_K
        14 => elements / 256 * 210, // Q6_K
        24 => elements, // I8
        25 => elements * 2, // I16
        26 => elements * 4, // I32
        27 => elements * 8, // I64
        28 => elements * 8, // F64
        _ => 0,
    };

    private static string ReadString(BinaryReader reader, long fileLength)
    {
        var size = reader.ReadUInt64();
        if (size > MaxStringBytes || (long)size > fileLength)
        {
            throw new InvalidDataException("The GGUF header is corrupt (a string longer than the file); send the file again.");
        }

        return Encoding.UTF8.GetString(reader.ReadBytes((int)size));
    }

    private static void Skip(BinaryReader reader, GgufType type, long fileLength)
    {
        switch (type)
        {
            case GgufType.UInt8 or GgufType.Int8 or GgufType.Bool:
                reader.BaseStream.Seek(1, SeekOrigin.Current);
                break;
            case GgufType.UInt16 or GgufType.Int16:
                reader.BaseStream.Seek(2, SeekOrigin.Current);
                break;
            case GgufType.UInt32 or GgufType.Int32 or GgufType.Float32:
                reader.BaseStream.Seek(4, SeekOrigin.Current);
                break;
            case GgufType.UInt64 or GgufType.Int64 or GgufType.Float64:
                reader.BaseStream.Seek(8, SeekOrigin.Current);
                break;
            case GgufType.String:
                ReadString(reader, fileLength);
                break;
            case GgufType.Array:
                var element = (GgufType)reader.ReadUInt32();
                var count = reader.ReadUInt64();
                if ((long)count > fileLength || element == GgufType.Array)
                {
                    throw new InvalidDataException("The GGUF header is corrupt (an array longer than the file); send the file again.");
                }

                for (ulong i = 0; i < count; i++)
                {
                    Skip(reader, element, fileLength);
                }

                break;
            default:
                throw new InvalidDataException($"The GGUF header is corrupt (unknown value type {(uint)type}); send the file again.");
        }

        if (reader.BaseStream.Position > fileLength)
        {
            throw new EndOfStreamException();
        }
    }
}
