using System.Buffers.Binary;

namespace BenchPlatform.InferenceWorker.Caching;

/// <summary>
/// The value a prediction is cached as: the <c>outputs</c> JSON alone, or, when some outputs were asked for as binary
/// tensor data, a 4-byte little-endian JSON length, the JSON, then the binary data. Which of the two is implied by
/// the key (<see cref="PredictionKey"/> covers the binary flags).
/// </summary>
internal static class CachedOutputs
{
    public static byte[] Write(byte[] outputsJson, byte[]? binary)
    {
        if (binary is null)
        {
            return outputsJson;
        }

        var value = new byte[4 + outputsJson.Length + binary.Length];
        BinaryPrimitives.WriteInt32LittleEndian(value, outputsJson.Length);
        outputsJson.CopyTo(value.AsSpan(4));
        binary.CopyTo(value.AsSpan(4 + outputsJson.Length));
        return value;
    }

    /// <summary>Splits a cached value; false when it is not of the expected shape (then it is treated as a miss).</summary>
    public static bool TryRead(byte[] value, bool hasBinary, out ReadOnlyMemory<byte> outputsJson, out ReadOnlyMemory<byte>? binary)
    {
        binary = null;
        outputsJson = value;
        if (!hasBinary)
        {
            return true;
        }

        if (value.Length < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(value);
        if (length < 0 || length > value.Length - 4)
        {
            return false;
        }

        outputsJson = value.AsMemory(4, length);
        binary = value.AsMemory(4 + length);
        return true;
    }
}
