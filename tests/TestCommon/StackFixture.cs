namespace BenchPlatform.TestCommon;

/// <summary>
/// The whole stack (the real AppHost from its build output, with PostgreSQL, Redis and every service) for
/// end-to-end tests: a temp state folder, a free gateway port, started once per test class or collection and
/// healthy before the first test. Disposal stops it and fails when any of its processes is left behind.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    /// <summary>The running AppHost.</summary>
    public AppHostProcess AppHost { get; private set; } = null!;

    /// <summary>The gateway's base address, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri GatewayUrl => AppHost.GatewayUrl;

    /// <summary>A client whose base address is the gateway.</summary>
    public HttpClient Gateway { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        AppHost = AppHostProcess.Start();
        await AppHost.WaitHealthyAsync(TimeSpan.FromSeconds(90));
        Gateway = new HttpClient { BaseAddress = AppHost.GatewayUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        if (AppHost is null)
        {
            return;
        }

        var survivors = await AppHost.StopAsync();
        await AppHost.DisposeAsync();
        if (survivors.Count > 0)
        {
            throw new InvalidOperationException($"Processes outlived the AppHost: {string.Join("; ", survivors)}");
        }
    }
}
