using System.Buffers.Binary;
using System.Text;
using BenchPlatform.Protocol.Problems;
using BenchPlatform.Protocol.Tensors;

namespace BenchPlatform.Protocol.Inference;

/// <summary>
/// The binary tensor data extension of the Open Inference Protocol (as Triton speaks it): an input's elements as
/// raw little-endian bytes in row-major order (BOOL one byte 0 or 1, FP16 two bytes); STRING/BYTES elements each a
/// 4-byte little-endian length followed by that many UTF-8 bytes.
/// </summary>
internal static class BinaryTensorData
{
    private const string Title = ProblemTitles.InvalidBinaryTensorData;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Copies <paramref name="data"/> into <paramref name="tensor"/>; a size or content mismatch is a 400 naming the input.</summary>
    public static void Read(ReadOnlySpan<byte> data, InputTensor tensor, string label, string field)
    {
        if (tensor.DataType == TensorDataType.String)
        {
            ReadStrings(data, tensor.Strings!, label, tensor.Shape, field);
            return;
        }

        if (data.Length != tensor.ByteLength)
        {
            throw new BadRequestException(Title,
                $"{label} has binary_data_size {data.Length} but shape [{string.Join(", ", tensor.Shape)}] of {TensorDataTypes.Name(tensor.DataType)} needs {tensor.ByteLength} bytes ({tensor.ElementCount} × {TensorDataTypes.ElementSize(tensor.DataType)}).", field);
        }

        if (tensor.DataType == TensorDataType.Bool)
        {
            var bad = data.IndexOfAnyExcept((byte)0, (byte)1);
            if (bad >= 0)
            {
                throw new BadRequestException(Title, $"Element {bad} of {label} is the byte {data[bad]}; BOOL binary data holds one byte per element, 0 or 1.", field);
            }
        }

        data.CopyTo(tensor.Bytes);
    }

    /// <summary>
    /// Validate mode: whether <paramref name="data"/> is certainly what <see cref="Read"/> takes for
    /// <paramref name="count"/> elements of <paramref name="type"/> (STRING data is left to <see cref="Read"/>).
    /// </summary>
    public static bool Check(ReadOnlySpan<byte> data, TensorDataType type, long count) =>
        type != TensorDataType.String && data.Length == count * TensorDataTypes.ElementSize(type)
        && (type != TensorDataType.Bool || data.IndexOfAnyExcept((byte)0, (byte)1) < 0);

    private static void ReadStrings(ReadOnlySpan<byte> data, string[] destination, string label, long[] shape, string field)
    {
        var offset = 0;
        for (var i = 0; i < destination.Length; i++)
        {
            if (data.Length - offset < 4)
            {
                throw new BadRequestException(Title,
                    $"{label}: its binary data ends at element {i} of the {destination.Length} that shape [{string.Join(", ", shape)}] needs; each STRING element is a 4-byte little-endian length, then its bytes.", field);
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
            offset += 4;
            if (length > (uint)(data.Length - offset))
            {
                throw new BadRequestException(Title,
                    $"{label}: element {i} declares {length} bytes but only {data.Length - offset} are left in its binary_data_size.", field);
            }

            try
            {
                destination[i] = StrictUtf8.GetString(data.Slice(offset, (int)length));
            }
            catch (DecoderFallbackException)
            {
                throw new BadRequestException(Title, $"{label}: element {i} is not valid UTF-8; STRING elements must be UTF-8 text.", field);
            }

            offset += (int)length;
        }

        if (offset != data.Length)
        {
            throw new BadRequestException(Title,
                $"{label}: its {destination.Length} STRING elements take {offset} bytes but binary_data_size is {data.Length}; they must match.", field);
        }
    }
}
