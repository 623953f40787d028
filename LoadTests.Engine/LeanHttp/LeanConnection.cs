using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using BenchPlatform.LoadTests.Engine;

namespace BenchPlatform.LoadTests;

/// <summary>
/// One keep-alive HTTP/1.1 connection of a <see cref="LeanHttpClient"/>: sends a prepared request, reads the status line
/// and the headers the engine needs, and drains the body (Content-Length, chunked, or to the close) in its own receive
/// buffer without copying it anywhere. One exchange at a time; any error leaves it unusable (the client disposes it).
/// </summary>
internal sealed class LeanConnection : IDisposable
{
    /// <summary>The receive buffer: the longest response head (status line and headers) this client reads.</summary>
    internal const int BufferSize = 16 * 1024;

    private readonly Socket _socket;
    private readonly EndPoint _endPoint;
    private readonly byte[] _receive = GC.AllocateUninitializedArray<byte>(BufferSize);
    private byte[] _send = new byte[512];
    private int _start;
    private int _end;

    private LeanConnection(Socket socket, EndPoint endPoint)
    {
        _socket = socket;
        _endPoint = endPoint;
    }

    /// <summary>Responses read to their end on this connection.</summary>
    public int Responses { get; private set; }

    /// <summary>Whether any byte of the current exchange's response arrived (a reused connection closed before any may be retried).</summary>
    public bool ReceivedAny { get; private set; }

    /// <summary>Whether the last response left the connection open for the next request.</summary>
    public bool KeepAlive { get; private set; }

    public static async ValueTask<LeanConnection> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = endPoint is IPEndPoint ip
            ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new LeanConnection(socket, endPoint);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"{ex.Message} ({endPoint})", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> with the trace id (<paramref name="traceHigh"/>, <paramref name="traceLow"/>) and
    /// reads its response to the end; the status and <c>Server-Timing</c> go to <paramref name="iteration"/> when there
    /// is one. Returns the status.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ExchangeAsync(LeanRequest request, ulong traceHigh, ulong traceLow, IterationContext? iteration, CancellationToken cancellationToken)
    {
        ReceivedAny = false;
        KeepAlive = false;
        try
        {
            var length = request.Bytes.Length;
            if (_send.Length < length)
            {
                _send = new byte[length];
            }

            request.Bytes.CopyTo(_send, 0);
            TraceParent.WriteUtf8Digits(_send.AsSpan(request.TraceOffset), traceHigh, traceLow);
            await SendAsync(_send.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            if (!request.Body.IsEmpty)
            {
                await SendAsync(request.Body, cancellationToken).ConfigureAwait(false);
            }

            ResponseHead head;
            do
            {
                int headLength;
                while ((headLength = _receive.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
                {
                    if (_start == _end)
                    {
                        // The common case, awaited here rather than in FillAsync: one async level less per response.
                        _start = _end = 0;
                        var read = await _socket.ReceiveAsync(_receive.AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                        Received(read, "before the end of the response head");
                    }
                    else
                    {
                        await FillAsync("before the end of the response head", cancellationToken).ConfigureAwait(false);
                    }
                }

                head = ParseHead(_receive.AsSpan(_start, headLength + 2), iteration);
                _start += headLength + 4;
            }
            while (head.Status is >= 100 and < 200 and not 101);

            if (request.ExpectsNoBody || head.Status is 204 or 304 or 101)
            {
                // No body, whatever the headers say.
            }
            else if (head.Chunked)
            {
                await DrainChunkedAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (head.ContentLength >= 0)
            {
                await DrainAsync(head.ContentLength, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // Neither a length nor chunks: the body ends when the server closes the connection.
                await DrainToCloseAsync(cancellationToken).ConfigureAwait(false);
                head.Close = true;
            }

            // Bytes past the response (nothing was asked for them) mean the connection is out of step: not reused.
            KeepAlive = !head.Close && head.Status != 101 && _start == _end;
            Responses++;
            return head.Status;
        }
        catch (SocketException ex)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"{ex.Message} ({_endPoint})", ex);
        }
    }

    public void Dispose() => _socket.Dispose();

    private async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Reads more bytes after those buffered; the connection closing here is an error that says <paramref name="where"/>.</summary>
    private async ValueTask FillAsync(string where, CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _receive.Length)
        {
            if (_start == 0)
            {
                throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The response from {_endPoint} has a head or chunk line longer than {BufferSize} bytes; the lean client reads heads up to that size (use Http.Send with an HttpRequestMessage for such a server).");
            }

            _receive.AsSpan(_start, _end - _start).CopyTo(_receive);
            _end -= _start;
            _start = 0;
        }

        Received(await _socket.ReceiveAsync(_receive.AsMemory(_end), SocketFlags.None, cancellationToken).ConfigureAwait(false), where);
    }

    private void Received(int read, string where)
    {
        if (read == 0)
        {
            throw new HttpRequestException(HttpRequestError.ResponseEnded, ReceivedAny
                ? $"{_endPoint} closed the connection {where}."
                : $"{_endPoint} closed the connection before sending a response.");
        }

        ReceivedAny = true;
        _end += read;
    }

    /// <summary>Drains <paramref name="length"/> body bytes: those buffered, then reads into the buffer and drops them.</summary>
    private async ValueTask DrainAsync(long length, CancellationToken cancellationToken)
    {
        var total = length;
        while (true)
        {
            var take = (int)Math.Min(length, _end - _start);
            _start += take;
            length -= take;
            if (length == 0)
            {
                return;
            }

            await FillAsync($"{total - length} bytes into a {total}-byte body", cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask DrainChunkedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var size = ParseChunkSize(await ReadLineAsync("in a chunk size line", cancellationToken).ConfigureAwait(false));
            if (size == 0)
            {
                // Trailers, if any, up to the empty line.
                while (await ReadLineAsync("in the chunked body's trailer", cancellationToken).ConfigureAwait(false) > 0)
                {
                }

                return;
            }

            await DrainAsync(size, cancellationToken).ConfigureAwait(false);
            if (await ReadLineAsync("after a chunk", cancellationToken).ConfigureAwait(false) != 0)
            {
                throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The chunked body from {_endPoint} has a chunk longer than its size line said ({size} bytes).");
            }
        }
    }

    private async ValueTask DrainToCloseAsync(CancellationToken cancellationToken)
    {
        _start = _end = 0;
        while (await _socket.ReceiveAsync(_receive.AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }

    /// <summary>Reads one CRLF-ended line and consumes it; returns its length, the line itself just before <see cref="_start"/>.</summary>
    private async ValueTask<int> ReadLineAsync(string where, CancellationToken cancellationToken)
    {
        int length;
        while ((length = _receive.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
        {
            await FillAsync(where, cancellationToken).ConfigureAwait(false);
        }

        _start += length + 2;
        return length;
    }

    private long ParseChunkSize(int lineLength)
    {
        var line = _receive.AsSpan(_start - lineLength - 2, lineLength);
        var semicolon = line.IndexOf((byte)';');
        var digits = line[Ascii.Trim(semicolon < 0 ? line : line[..semicolon])];
        if (digits.IsEmpty || digits.Length > 15 || !Utf8Parser.TryParse(digits, out long size, out var consumed, 'x') || consumed != digits.Length)
        {
            throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The chunked body from {_endPoint} has a malformed chunk size line '{Printable(line)}'.");
        }

        return size;
    }

    /// <summary>Reads the status line and the headers this client needs; <paramref name="head"/> ends with the last header's CRLF.</summary>
    private ResponseHead ParseHead(ReadOnlySpan<byte> head, IterationContext? iteration)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = head[..lineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[7] is not ((byte)'0' or (byte)'1') || statusLine[8] != ' '
            || !IsDigit(statusLine[9]) || !IsDigit(statusLine[10]) || !IsDigit(statusLine[11]) || (statusLine.Length > 12 && statusLine[12] != ' '))
        {
            throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The response from {_endPoint} is not HTTP/1.x: its first line is '{Printable(statusLine)}'.");
        }

        var result = new ResponseHead
        {
            Status = ((statusLine[9] - '0') * 100) + ((statusLine[10] - '0') * 10) + (statusLine[11] - '0'),
            ContentLength = -1,
            Close = statusLine[7] == '0',
        };
        iteration?.OnResponseHead(result.Status);
        var rest = head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            lineEnd = rest.IndexOf("\r\n"u8);
            var line = rest[..lineEnd];
            rest = rest[(lineEnd + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The response from {_endPoint} has a malformed header line '{Printable(line)}'.");
            }

            var name = line[..colon];
            var value = line[(colon + 1)..];
            value = value[Ascii.Trim(value)];
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long contentLength, out var consumed) || consumed != value.Length || contentLength < 0)
                {
                    throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The response from {_endPoint} has a malformed Content-Length '{Printable(value)}'.");
                }

                result.ContentLength = contentLength;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                result.Chunked = value.Length >= 7 && Ascii.EqualsIgnoreCase(value[^7..], "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                if (ContainsIgnoreCase(value, "close"u8))
                {
                    result.Close = true;
                }
                else if (ContainsIgnoreCase(value, "keep-alive"u8))
                {
                    result.Close = false;
                }
            }
            else if (iteration is not null && Ascii.EqualsIgnoreCase(name, "Server-Timing"u8))
            {
                ApplyServerTiming(value, iteration);
            }
        }

        return result;
    }

    private static void ApplyServerTiming(ReadOnlySpan<byte> value, IterationContext iteration)
    {
        Span<char> chars = value.Length <= 256 ? stackalloc char[value.Length] : new char[value.Length];
        Encoding.Latin1.GetChars(value, chars);
        iteration.OnServerTiming(chars);
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool ContainsIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        for (var i = 0; i + token.Length <= value.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(value.Slice(i, token.Length), token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>At most 80 characters of what the server sent, control bytes shown as '?', for an error message.</summary>
    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var shown = bytes.Length > 80 ? bytes[..80] : bytes;
        var chars = new char[shown.Length];
        for (var i = 0; i < shown.Length; i++)
        {
            chars[i] = shown[i] is >= 0x20 and < 0x7F ? (char)shown[i] : '?';
        }

        return bytes.Length > 80 ? new string(chars) + "…" : new string(chars);
    }

    private struct ResponseHead
    {
        public int Status;
        public long ContentLength;
        public bool Chunked;
        public bool Close;
    }
}
