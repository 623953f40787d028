using System.Text;

namespace BenchPlatform.InferenceWorker.Llm.Gguf;

/// <summary>
/// Writes a GGUF version 3 file (the llama.cpp model format): metadata key/value pairs, then tensor descriptions,
/// then F32 tensor data aligned to 32 bytes. Enough to write a model by construction; no quantized types.
/// </summary>
public sealed class GgufWriter
{
    private const int Alignment = 32;
    private readonly List<(string Key, Action<BinaryWriter> Write)> _metadata = [];
    private readonly List<(string Name, long[] Dims, float[] Data)> _tensors = [];

    /// <summary>A string value.</summary>
    public GgufWriter Add(string key, string value) => Put(key, w => { w.Write((uint)GgufType.String); WriteString(w, value); });

    /// <summary>A uint32 value.</summary>
    public GgufWriter Add(string key, uint value) => Put(key, w => { w.Write((uint)GgufType.UInt32); w.Write(value); });

    /// <summary>A float32 value.</summary>
    public GgufWriter Add(string key, float value) => Put(key, w => { w.Write((uint)GgufType.Float32); w.Write(value); });

    /// <summary>A bool value.</summary>
    public GgufWriter Add(string key, bool value) => Put(key, w => { w.Write((uint)GgufType.Bool); w.Write(value ? (byte)1 : (byte)0); });

    /// <summary>An array of strings.</summary>
    public GgufWriter Add(string key, IReadOnlyList<string> values) => Put(key, w =>
    {
        w.Write((uint)GgufType.Array);
        w.Write((uint)GgufType.String);
        w.Write((ulong)values.Count);
        foreach (var value in values)
        {
            WriteString(w, value);
        }
    });

    /// <summary>An array of float32.</summary>
    public GgufWriter Add(string key, IReadOnlyList<float> values) => Put(key, w =>
    {
        w.Write((uint)GgufType.Array);
        w.Write((uint)GgufType.Float32);
        w.Write((ulong)values.Count);
        foreach (var value in values)
        {
            w.Write(value);
        }
    });

    /// <summary>An array of int32.</summary>
    public GgufWriter Add(string key, IReadOnlyList<int> values) => Put(key, w =>
    {
        w.Write((uint)GgufType.Array);
        w.Write((uint)GgufType.Int32);
        w.Write((ulong)values.Count);
        foreach (var value in values)
        {
            w.Write(value);
        }
    });

    /// <summary>
    /// An F32 tensor. <paramref name="dims"/> are in GGML order, innermost first: a PyTorch weight <c>[out, in]</c>
    /// is <c>[in, out]</c> here, and the data is row-major over the PyTorch shape.
    /// </summary>
    public GgufWriter Tensor(string name, long[] dims, float[] data)
    {
        long count = 1;
        foreach (var d in dims)
        {
            count *= d;
        }

        if (count != data.Length)
        {
            throw new ArgumentException($"Tensor {name}: {data.Length} values for dims [{string.Join(", ", dims)}].", nameof(data));
        }

        _tensors.Add((name, dims, data));
        return this;
    }

    /// <summary>Writes the file (through a temporary file, then a rename).</summary>
    public void WriteFile(string path)
    {
        var temp = path + ".tmp";
        using (var stream = File.Create(temp))
        {
            Write(stream);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Writes the GGUF bytes to <paramref name="stream"/>.</summary>
    public void Write(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write("GGUF"u8);
        w.Write(3u);
        w.Write((ulong)_tensors.Count);
        w.Write((ulong)_metadata.Count);
        foreach (var (key, write) in _metadata)
        {
            WriteString(w, key);
            write(w);
        }

        ulong offset = 0;
        foreach (var (name, dims, data) in _tensors)
        {
            WriteString(w, name);
            w.Write((uint)dims.Length);
            foreach (var d in dims)
            {
                w.Write((ulong)d);
            }

            w.Write(0u); // GGML_TYPE_F32
            w.Write(offset);
            offset += Align((ulong)data.Length * sizeof(float));
        }

        Pad(w);
        foreach (var (_, _, data) in _tensors)
        {
            w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
            Pad(w);
        }
    }

    private GgufWriter Put(string key, Action<BinaryWriter> write)
    {
        _metadata.Add((key, write));
        return this;
    }

    private static void WriteString(BinaryWriter w, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static void Pad(BinaryWriter w)
    {
        w.Flush();
        var position = (ulong)w.BaseStream.Position;
        for (var i = position; i < Align(position); i++)
        {
            w.Write((byte)0);
        }
    }

    private static ulong Align(ulong value) => (value + Alignment - 1) / Alignment * Alignment;
}
