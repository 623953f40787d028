using System.Net;
using System.Net.Sockets;

namespace BenchPlatform.TestCommon;

/// <summary>Finds a free TCP port on the loopback interface.</summary>
public static class FreePort
{
    /// <summary>A port that was free a moment ago on 127.0.0.1.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
