using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace BenchPlatform.ServiceDefaults;

/// <summary>
/// A service the AppHost starts with a Unix domain socket in its URLs (<c>http://unix:/…/inference-0.sock</c>, the
/// gateway's same-machine hop) keeps that socket to its own user: Kestrel creates it with the process umask, so once
/// the server listens its mode is set to 0600. The folder it lies in (0700, the AppHost's) is what shuts others out
/// from the start; this makes the socket itself say so too.
/// </summary>
public static class UnixSocketPermissions
{
    /// <summary>How Kestrel names a Unix socket address.</summary>
    public const string AddressPrefix = "http://unix:";

    /// <summary>Sets every Unix socket the server listens on to owner read and write only, once it has started.</summary>
    public static WebApplication RestrictUnixSockets(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
            foreach (var address in addresses ?? [])
            {
                if (!OperatingSystem.IsWindows() && address.StartsWith(AddressPrefix, StringComparison.OrdinalIgnoreCase))
                {
                    File.SetUnixFileMode(address[AddressPrefix.Length..], UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
            }
        });
        return app;
    }
}
