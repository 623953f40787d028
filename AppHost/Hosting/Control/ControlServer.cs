using BenchPlatform.AppHost.Hosting.Orchestration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace BenchPlatform.AppHost.Hosting.Control;

/// <summary>
/// Serves the control API (<see cref="ControlApi"/>) on 127.0.0.1 at <c>AppHost:ControlPort</c> (a free port when 0)
/// from inside the Aspire app host; the orchestrator hands its address to the services that call it.
/// </summary>
internal sealed class ControlServer(Orchestrator orchestrator, IOptions<AppHostOptions> options) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();

        // Signals are the app host's: a console lifetime here would take SIGTERM for this little host alone.
        builder.Services.AddSingleton<IHostLifetime, NoSignals>();
        builder.WebHost.UseUrls($"http://127.0.0.1:{options.Value.ControlPort}");
        builder.Services.AddSingleton(orchestrator);
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = StatusCodeProblems.AddDetail);
        _app = builder.Build();
        _app.UseStatusCodePages();
        _app.MapControlApi();
        await _app.StartAsync(cancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        orchestrator.ControlUrl = address.TrimEnd('/');
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private sealed class NoSignals : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
