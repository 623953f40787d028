using System.Collections.Frozen;
using System.Net.Sockets;

namespace BenchPlatform.Gateway.Destinations;

/// <summary>
/// Opens the forwarder's connections: over a replica's Unix domain socket when the AppHost named one for the
/// destination's host and port (a same-machine hop with no TCP stack: fewer kernel cycles per request), else over
/// TCP as <see cref="SocketsHttpHandler"/> would. Only sockets the AppHost sent through the token-guarded internal API
/// are ever connected to; a replica restarted without its socket is reached over TCP again.
/// </summary>
internal sealed class UnixSocketConnector
{
    /// <summary>The longest socket path a <c>sockaddr_un</c> holds on Linux, less its terminating NUL.</summary>
    public const int MaxPathBytes = 107;

    private FrozenDictionary<string, string> _sockets = FrozenDictionary<string, string>.Empty;

    /// <summary>Sets the sockets from every cluster's destinations (address authority → socket path).</summary>
    public void Update(IEnumerable<ClusterEntry> clusters)
    {
        var sockets = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var cluster in clusters)
        {
            foreach (var destination in cluster.Destinations)
            {
                if (destination.UnixSocket is { } path && Uri.TryCreate(destination.Address, UriKind.Absolute, out var uri))
                {
                    sockets[Key(uri.IdnHost, uri.Port)] = path;
                }
            }
        }

        Volatile.Write(ref _sockets, sockets.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>The socket path that connections to <paramref name="host"/>:<paramref name="port"/> use, or null for TCP.</summary>
    public string? SocketFor(string host, int port) =>
        Volatile.Read(ref _sockets).TryGetValue(Key(host, port), out var path) ? path : null;

    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/>.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var path = SocketFor(endpoint.Host, endpoint.Port);
        var socket = path is null
            ? new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
            : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(path is null ? endpoint : new UnixDomainSocketEndPoint(path), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string Key(string host, int port) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{host}:{port}");
}
