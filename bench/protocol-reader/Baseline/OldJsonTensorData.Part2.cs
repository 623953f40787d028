// Baseline for the benchmarks: a copy, kept as it was, of the code the Protocol reader replaced (commit 7581181).
namespace BenchPlatform.Bench.ProtocolReader.Baseline;

internal static partial class OldJsonTensorData
{
    private static void Accumulate(byte digit, ref ulong mantissa, ref int significant)
    {
        if (significant == 0 && digit == '0')
        {
            return;
        }

        significant++;
        if (significant <= 19)
        {
            mantissa = (mantissa * 10) + (uint)(digit - '0');
        }
    }

    private static int ReadNamedFloat(ReadOnlySpan<byte> json, out double value)
    {
        value = 0;
        if (json.StartsWith("\"NaN\""u8))
        {
            value = double.NaN;
            return 5;
        }

        if (json.StartsWith("\"Infinity\""u8))
        {
            value = double.PositiveInfinity;
            return 10;
        }

        if (json.StartsWith("\"-Infinity\""u8))
        {
            value = double.NegativeInfinity;
            return 11;
        }

        return -1;
    }
}
