using System.Net;
using System.Net.Sockets;
using BenchPlatform.AppHost.Hosting.Resources;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>
/// The ports of this run: a resource's first instance gets its configured or declared port, every other one a free
/// loopback port that no other resource of the run holds.
/// </summary>
internal sealed class PortAllocator(IReadOnlyDictionary<string, int> configured)
{
    private readonly HashSet<int> _ports = [];

    /// <summary>A port for instance <paramref name="index"/> of <paramref name="resource"/>.</summary>
    public int Allocate(LocalResource resource, int index)
    {
        lock (_ports)
        {
            if (index == 0 && (configured.TryGetValue(resource.Name, out var port) ? port : (resource as LocalProjectResource)?.HttpPort) is int fixedPort)
            {
                _ports.Add(fixedPort);
                return fixedPort;
            }

            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var free = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (_ports.Add(free))
                {
                    return free;
                }
            }
        }
    }

    /// <summary>Gives <paramref name="port"/> back (its replica stopped).</summary>
    public void Release(int port)
    {
        lock (_ports)
        {
            _ports.Remove(port);
        }
    }
}
