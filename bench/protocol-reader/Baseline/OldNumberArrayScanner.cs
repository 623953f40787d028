// Baseline for the benchmarks: a copy, kept as it was, of the code the Protocol reader replaced (commit 7581181).
namespace BenchPlatform.Bench.ProtocolReader.Baseline;

/// <summary>
/// The fast path for an infer input's numeric <c>data</c>: one pass over the bytes of a (possibly nested) array of
/// JSON numbers, checking the grammar of RFC 8259 strictly and counting the numbers, without tokenizing through
/// <see cref="System.Text.Json.Utf8JsonReader"/> (a batch of 1000 MNIST rows is 6.5 MB of numbers, which the reader
/// tokenizes 2.6× slower: bench/gateway-validation). It accepts only what the reader accepts; anything else (a string, a
/// literal, a comment, a malformed number, a depth past <see cref="MaxDepth"/>) answers -1 and the caller reads the
/// array with the reader, which decides.
/// </summary>
internal static class OldNumberArrayScanner
{
    /// <summary>Nesting below the data array itself; deeper arrays go to the reader (whose own limit is 64).</summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// Scans <paramref name="json"/>, which starts at the array's <c>[</c>; returns the bytes up to and including the
    /// matching <c>]</c> and the count of numbers in <paramref name="numbers"/>, or -1.
    /// </summary>
    public static int Scan(ReadOnlySpan<byte> json, out long numbers)
    {
        numbers = 0;
        if (json.IsEmpty || json[0] != '[')
        {
            return -1;
        }

        var i = 1;
        var depth = 1;
        var afterOpen = true;
        while (true)
        {
            i = SkipWhitespace(json, i);
            if (i >= json.Length)
            {
                return -1;
            }

            // Expecting a value (or ']' right after '[').
            var c = json[i];
            if (c == '[')
            {
                if (++depth > MaxDepth)
                {
                    return -1;
                }

                i++;
                afterOpen = true;
                continue;
            }

            if (c == ']' && afterOpen)
            {
                i++;
                depth--;
            }
            else
            {
                i = SkipNumber(json, i);
                if (i < 0)
                {
                    return -1;
                }

                numbers++;
            }

            // After a value: ',' then a value, or ']' closing one level.
            while (true)
            {
                if (depth == 0)
                {
                    return i;
                }

                i = SkipWhitespace(json, i);
                if (i >= json.Length)
                {
                    return -1;
                }

                if (json[i] == ',')
                {
                    i++;
                    afterOpen = false;
                    break;
                }

                if (json[i] != ']')
                {
                    return -1;
                }

                i++;
                depth--;
            }
        }
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            i++;
        }

        return i;
    }

    /// <summary>number = [ "-" ] ( "0" / digit1-9 *digit ) [ "." 1*digit ] [ ( "e" / "E" ) [ "-" / "+" ] 1*digit ].</summary>
    private static int SkipNumber(ReadOnlySpan<byte> json, int i)
    {
        if (i < json.Length && json[i] == '-')
        {
            i++;
        }

        if (i >= json.Length)
        {
            return -1;
        }

        if (json[i] == '0')
        {
            i++;
        }
        else if (IsDigit(json[i]))
        {
            i = SkipDigits(json, i + 1);
        }
        else
        {
            return -1;
        }

        if (i < json.Length && json[i] == '.')
        {
            var start = ++i;
            i = SkipDigits(json, i);
            if (i == start)
            {
                return -1;
            }
        }

        if (i < json.Length && json[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if (i < json.Length && json[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            var start = i;
            i = SkipDigits(json, i);
            if (i == start)
            {
                return -1;
            }
        }

        // A number ends at a delimiter; "01", "1x" or "1.5.2" are not numbers.
        return i < json.Length && !IsDelimiter(json[i]) ? -1 : i;
    }

    private static int SkipDigits(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && IsDigit(json[i]))
        {
            i++;
        }

        return i;
    }

    private static bool IsDigit(byte c) => (uint)(c - '0') <= 9;

    private static bool IsDelimiter(byte c) => c is (byte)',' or (byte)']' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t';
}
