namespace BenchPlatform.LoadTests.Engine;

/// <summary>W3C <c>traceparent</c> values for the trace ids the generator gives each request.</summary>
public static class TraceParent
{
    /// <summary><c>00-{trace id}-{span id}-01</c>, the span id derived from the trace id.</summary>
    public static string Format(ulong high, ulong low) => string.Create(55, (high, low), static (span, ids) =>
    {
        "00-".CopyTo(span);
        ids.high.TryFormat(span[3..], out _, "x16");
        ids.low.TryFormat(span[19..], out _, "x16");
        span[35] = '-';
        (ids.low ^ 0x9E3779B97F4A7C15UL).TryFormat(span[36..], out _, "x16");
        "-01".CopyTo(span[52..]);
    });

    /// <summary>The bytes between <c>traceparent: 00-</c> and <c>-01</c>: trace id, '-', span id.</summary>
    public const int Utf8DigitsLength = 32 + 1 + 16;

    /// <summary>Writes the <see cref="Utf8DigitsLength"/> bytes of <see cref="Format"/> between <c>00-</c> and <c>-01</c>, as ASCII.</summary>
    public static void WriteUtf8Digits(Span<byte> destination, ulong high, ulong low)
    {
        WriteHex(destination[..16], high);
        WriteHex(destination.Slice(16, 16), low);
        destination[32] = (byte)'-';
        WriteHex(destination.Slice(33, 16), low ^ 0x9E3779B97F4A7C15UL);
    }

    /// <summary>16 lowercase hex digits (ulong's own "x16" formatting takes its slow path for a format string).</summary>
    private static void WriteHex(Span<byte> destination, ulong value)
    {
        for (var i = 15; i >= 0; i--)
        {
            destination[i] = (byte)"0123456789abcdef"[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    /// <summary>The 32-hex-digit trace id.</summary>
    public static string TraceId(ulong high, ulong low) => string.Create(32, (high, low), static (span, ids) =>
    {
        ids.high.TryFormat(span, out _, "x16");
        ids.low.TryFormat(span[16..], out _, "x16");
    });
}
