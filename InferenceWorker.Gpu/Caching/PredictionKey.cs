using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace BenchPlatform.InferenceWorker.Caching;

/// <summary>
/// SHA-256 of a request's canonical inputs: each input in model order as name, datatype, shape and
/// little-endian element bytes (strings length-prefixed), then which outputs were asked for. Two requests
/// that differ only in JSON spelling (spacing, nesting, property order, 1 vs 1.0) or send inputs as binary tensor data get the same key.
/// </summary>
public static class PredictionKey
{
    /// <summary>The lower-case hex hash.</summary>
    public static string Compute(InputTensor[] inputs, bool[] outputs, bool[]? binaryOutputs = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> scratch = stackalloc byte[8];
        foreach (var input in inputs)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(input.Name));
            scratch[0] = 0;
            scratch[1] = (byte)input.DataType;
            scratch[2] = (byte)input.Shape.Length;
            hash.AppendData(scratch[..3]);
            foreach (var dim in input.Shape)
            {
                BinaryPrimitives.WriteInt64LittleEndian(scratch, dim);
                hash.AppendData(scratch);
            }

            if (input.Strings is { } strings)
            {
                foreach (var s in strings)
                {
                    var bytes = Encoding.UTF8.GetBytes(s);
                    BinaryPrimitives.WriteInt32LittleEndian(scratch, bytes.Length);
                    hash.AppendData(scratch[..4]);
                    hash.AppendData(bytes);
                }
            }
            else
            {
                hash.AppendData(input.Bytes);
            }
        }

        foreach (var wanted in outputs)
        {
            scratch[0] = wanted ? (byte)1 : (byte)0;
            hash.AppendData(scratch[..1]);
        }

        // Binary outputs are cached in their own shape (JSON header + raw bytes): a separate key.
        if (binaryOutputs is not null)
        {
            foreach (var binary in binaryOutputs)
            {
                scratch[0] = binary ? (byte)3 : (byte)2;
                hash.AppendData(scratch[..1]);
            }
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }
}
