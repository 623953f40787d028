using System.Net;
using System.Net.Sockets;
using BenchPlatform.AppHost.Hosting.Resources;
using BenchPlatform.AppHost.Hosting.Servers;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>
/// Checks before anything starts that every program and build output the topology needs is there, and that the fixed
/// ports it listens on (the gateway's, the dashboard's) are free.
/// </summary>
internal static class Preflight
{
    /// <summary>
    /// Throws <see cref="MissingDependencyException"/> naming what to install or build, or
    /// <see cref="PortUnavailableException"/> naming the busy port and the setting that moves it.
    /// </summary>
    public static void Check(IReadOnlyList<LocalResource> resources, AppHostOptions options)
    {
        EnsureFree(options.DashboardPort, "the dashboard", "--AppHost:DashboardPort=PORT");
        foreach (var project in resources.OfType<LocalProjectResource>())
        {
            if ((options.Ports.TryGetValue(project.Name, out var configured) ? configured : project.HttpPort) is int port)
            {
                EnsureFree(port, $"'{project.Name}'", $"--AppHost:Ports:{project.Name}=PORT");
            }
        }

        if (resources.OfType<PostgresServerResource>().Any())
        {
            LocalPostgres.FindBinFolder(options.PostgresSearchFolders);
        }

        if (resources.OfType<RedisResource>().Any())
        {
            LocalRedis.EnsureAvailable();
        }

        foreach (var project in resources.OfType<LocalProjectResource>())
        {
            if (!File.Exists(project.Metadata.AssemblyPath))
            {
                throw new MissingDependencyException(
                    $"The build output of '{project.Name}' ({project.Metadata.AssemblyPath}) does not exist; build the solution first: dotnet build.");
            }
        }
    }

    private static void EnsureFree(int port, string what, string setting)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            var reason = ex.SocketErrorCode == SocketError.AccessDenied ? "may not be bound by this user" : "is already in use";
            throw new PortUnavailableException(
                $"Port {port} for {what} {reason} on 127.0.0.1. Stop what listens there (`ss -ltnp 'sport = :{port}'` shows it) " +
                $"or choose another port: dotnet run --project AppHost -- {setting}");
        }
    }
}
