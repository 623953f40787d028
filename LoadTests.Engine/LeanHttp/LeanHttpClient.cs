using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using BenchPlatform.LoadTests.Engine;

namespace BenchPlatform.LoadTests;

/// <summary>
/// A lean HTTP/1.1 client for scenarios that want the engine's full capacity: keep-alive connections over plain sockets
/// (one per request in flight, reused), requests prepared once (<see cref="Prepare"/>) and sent as bytes, bodies
/// drained in the connection's buffer. <c>Http.Send(ctx, request)</c> sends a prepared request with the iteration's
/// <c>traceparent</c> and records status, first byte and <c>Server-Timing</c> phases, as for <see cref="HttpClient"/>.
/// Plain <c>http://</c> only (no TLS, no HTTP/2); bodies are drained, not read (use an <see cref="HttpRequestMessage"/>
/// with a reader for that).
/// </summary>
public sealed class LeanHttpClient : IDisposable
{
    private readonly ConcurrentQueue<LeanConnection> _idle = new();
    private readonly EndPoint _endPoint;
    private int _open;
    private int _opened;
    private volatile bool _disposed;

    /// <summary>A client for the server at <paramref name="baseAddress"/> (<c>http://host:port/</c>); paths are relative to it.</summary>
    public LeanHttpClient(Uri baseAddress)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        if (!baseAddress.IsAbsoluteUri || baseAddress.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"LeanHttpClient speaks plain HTTP/1.1 only; '{baseAddress}' is not an http:// address. For https use Http.Send with an HttpRequestMessage (the runner's HttpClient).", nameof(baseAddress));
        }

        BaseAddress = baseAddress;
        Authority = baseAddress.Authority;
        _endPoint = IPAddress.TryParse(baseAddress.DnsSafeHost, out var address)
            ? new IPEndPoint(address, baseAddress.Port)
            : new DnsEndPoint(baseAddress.DnsSafeHost, baseAddress.Port);
    }

    /// <summary>The server's address.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Connections open now (idle or in use).</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>Connections opened since the client was made (reuse keeps this at the most requests ever in flight).</summary>
    public int ConnectionsOpened => Volatile.Read(ref _opened);

    internal string Authority { get; }

    /// <summary>
    /// Builds a request once: <paramref name="method"/> <paramref name="pathAndQuery"/> (relative to
    /// <see cref="BaseAddress"/>), optional <paramref name="headers"/>, and a <paramref name="body"/> sent with its
    /// <c>Content-Length</c> (the client keeps a reference: do not change it afterwards).
    /// </summary>
    public LeanRequest Prepare(HttpMethod method, string pathAndQuery, ReadOnlyMemory<byte> body = default, string? contentType = null, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentException.ThrowIfNullOrEmpty(pathAndQuery);
        var target = new Uri(BaseAddress, pathAndQuery);
        if (target.Scheme != BaseAddress.Scheme || target.Authority != BaseAddress.Authority)
        {
            throw new ArgumentException($"'{pathAndQuery}' is not on {BaseAddress.GetLeftPart(UriPartial.Authority)}; a LeanHttpClient talks to one server: make one client per server.", nameof(pathAndQuery));
        }

        if (contentType is not null && contentType.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException($"Content type '{contentType}' has a line break; give a media type such as 'application/json'.", nameof(contentType));
        }

        var list = new List<KeyValuePair<string, string>>();
        foreach (var header in headers ?? [])
        {
            if (header.Key.AsSpan().IndexOfAny(":\r\n ") >= 0 || header.Value.AsSpan().IndexOfAny('\r', '\n') >= 0 || header.Key.Length == 0)
            {
                throw new ArgumentException($"Header '{header.Key}' is not a valid HTTP header name and value (no ':', spaces or line breaks in the name, no line breaks in the value).", nameof(headers));
            }

            if (header.Key.Equals("Host", StringComparison.OrdinalIgnoreCase) || header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                || header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || header.Key.Equals("traceparent", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Header '{header.Key}' is written by LeanHttpClient itself; leave it out.", nameof(headers));
            }

            list.Add(header);
        }

        return new LeanRequest(this, method, target.PathAndQuery, list, body, contentType);
    }

    /// <summary>
    /// Sends <paramref name="request"/> with a fresh trace id, drains the response and returns its status. Errors are
    /// <see cref="HttpRequestException"/>s naming what the server did; cancelling <paramref name="cancellationToken"/>
    /// abandons the request and closes its connection.
    /// </summary>
    public ValueTask<int> SendAsync(LeanRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(request, null, cancellationToken);

    /// <summary>Closes the idle connections; those in use close when their request ends.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryDequeue(out var connection))
        {
            Close(connection);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<int> SendAsync(LeanRequest request, IterationContext? iteration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (request.Client != this)
        {
            throw new ArgumentException("The request was prepared by another LeanHttpClient; send it with that one.", nameof(request));
        }

        var (high, low) = iteration?.ActiveTrace ?? ((ulong)Random.Shared.NextInt64(), (ulong)Random.Shared.NextInt64());
        _idle.TryDequeue(out var connection);
        var reused = connection is not null;
        connection ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
        int status;
        try
        {
            status = await connection.ExchangeAsync(request, high, low, iteration, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException) when (reused && !connection.ReceivedAny && !cancellationToken.IsCancellationRequested)
        {
            // A kept-alive connection the server had closed before this request reached it: once more on a new one.
            Close(connection);
            connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                status = await connection.ExchangeAsync(request, high, low, iteration, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                Close(connection);
                throw;
            }
        }
        catch
        {
            Close(connection);
            throw;
        }

        if (connection.KeepAlive && !_disposed)
        {
            _idle.Enqueue(connection);
        }
        else
        {
            Close(connection);
        }

        return status;
    }

    private async ValueTask<LeanConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await LeanConnection.ConnectAsync(_endPoint, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _open);
        Interlocked.Increment(ref _opened);
        return connection;
    }

    private void Close(LeanConnection connection)
    {
        connection.Dispose();
        Interlocked.Decrement(ref _open);
    }
}
