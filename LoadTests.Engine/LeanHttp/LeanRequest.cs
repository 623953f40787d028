using System.Text;
using BenchPlatform.LoadTests.Engine;

namespace BenchPlatform.LoadTests;

/// <summary>
/// A request of a <see cref="LeanHttpClient"/>, made by <see cref="LeanHttpClient.Prepare"/>: its bytes (request line,
/// <c>Host</c>, headers, <c>Content-Length</c>, a small body) are built once and sent as they are by every iteration;
/// only the <c>traceparent</c> digits are written per send. Immutable, so any number of iterations share one.
/// </summary>
public sealed class LeanRequest
{
    /// <summary>Bodies up to this size travel in the same buffer and send as the head; larger ones are sent from <see cref="Body"/>.</summary>
    internal const int InlineBodyLimit = 8 * 1024;

    private static readonly byte[] TraceName = "traceparent: 00-"u8.ToArray();

    internal LeanRequest(LeanHttpClient client, HttpMethod method, string pathAndQuery, IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body, string? contentType)
    {
        Client = client;
        Method = method;
        PathAndQuery = pathAndQuery;
        var sendsLength = !body.IsEmpty || method == HttpMethod.Post || method == HttpMethod.Put || method == HttpMethod.Patch;
        var text = new StringBuilder(256)
            .Append(method.Method).Append(' ').Append(pathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(client.Authority).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (contentType is not null)
        {
            text.Append("Content-Type: ").Append(contentType).Append("\r\n");
        }

        if (sendsLength)
        {
            text.Append("Content-Length: ").Append(body.Length).Append("\r\n");
        }

        var before = Encoding.ASCII.GetBytes(text.ToString());
        var inline = body.Length <= InlineBodyLimit;
        var length = before.Length + TraceName.Length + TraceParent.Utf8DigitsLength + "-01\r\n\r\n".Length + (inline ? body.Length : 0);
        var bytes = new byte[length];
        before.CopyTo(bytes, 0);
        TraceName.CopyTo(bytes, before.Length);
        TraceOffset = before.Length + TraceName.Length;
        bytes.AsSpan(TraceOffset, TraceParent.Utf8DigitsLength).Fill((byte)'0');
        "-01\r\n\r\n"u8.CopyTo(bytes.AsSpan(TraceOffset + TraceParent.Utf8DigitsLength));
        if (inline)
        {
            body.Span.CopyTo(bytes.AsSpan(length - body.Length));
        }

        Bytes = bytes;
        Body = inline ? ReadOnlyMemory<byte>.Empty : body;
        ExpectsNoBody = method == HttpMethod.Head;
    }

    /// <summary>The client that sends it.</summary>
    public LeanHttpClient Client { get; }

    /// <summary>The request's method.</summary>
    public HttpMethod Method { get; }

    /// <summary>The request target sent on the request line (<c>/v2/models/mlp/infer</c>).</summary>
    public string PathAndQuery { get; }

    /// <summary>The head (and a body up to <see cref="InlineBodyLimit"/>), with zeros where the trace digits go.</summary>
    internal byte[] Bytes { get; }

    /// <summary>Where the <see cref="TraceParent.Utf8DigitsLength"/> trace digits start in <see cref="Bytes"/>.</summary>
    internal int TraceOffset { get; }

    /// <summary>A body larger than <see cref="InlineBodyLimit"/>, sent after <see cref="Bytes"/>; else empty.</summary>
    internal ReadOnlyMemory<byte> Body { get; }

    /// <summary>A <c>HEAD</c> request: its response has no body, whatever its headers say.</summary>
    internal bool ExpectsNoBody { get; }
}
