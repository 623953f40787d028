using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BenchPlatform.LoadTests.Tests.Support;

/// <summary>One request as <see cref="RawHttpServer"/> read it: its head, its body, and its number on its connection (from 0).</summary>
internal sealed record RawRequest(string Head, byte[] Body, int IndexOnConnection);

/// <summary>
/// A TcpListener on loopback that answers each request with exactly the bytes a test script writes (malformed ones,
/// chunks split across writes, a close without a word), so the lean client is tested against what servers really send.
/// The script returns whether to keep the connection open for the next request.
/// </summary>
internal sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<RawRequest, NetworkStream, Task<bool>> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private readonly Task _accepting;
    private int _connections;

    public RawHttpServer(Func<RawRequest, NetworkStream, Task<bool>> answer)
    {
        _answer = answer;
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri Url { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Every request read, in order of arrival.</summary>
    public ConcurrentQueue<RawRequest> Requests { get; } = new();

    /// <summary>Writes <paramref name="text"/> (ASCII) and flushes it as one write.</summary>
    public static async Task WriteAsync(NetworkStream stream, string text)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text));
        await stream.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            client.NoDelay = true;
            _clients.Add(client);
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffered = new List<byte>();
                var chunk = new byte[4096];
                for (var index = 0; ; index++)
                {
                    int headEnd;
                    while ((headEnd = IndexOfHeadEnd(buffered)) < 0)
                    {
                        var read = await stream.ReadAsync(chunk, _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        buffered.AddRange(chunk.AsSpan(0, read));
                    }

                    var head = Encoding.ASCII.GetString([.. buffered.GetRange(0, headEnd)]);
                    var length = ContentLength(head);
                    while (buffered.Count < headEnd + 4 + length)
                    {
                        var read = await stream.ReadAsync(chunk, _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        buffered.AddRange(chunk.AsSpan(0, read));
                    }

                    var request = new RawRequest(head, [.. buffered.GetRange(headEnd + 4, length)], index);
                    buffered.RemoveRange(0, headEnd + 4 + length);
                    Requests.Enqueue(request);
                    if (!await _answer(request, stream))
                    {
                        return;
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // The test is over or the client went away.
            }
        }
    }

    private static int IndexOfHeadEnd(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    private static int ContentLength(string head)
    {
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
