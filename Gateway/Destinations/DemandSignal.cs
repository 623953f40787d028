using BenchPlatform.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace BenchPlatform.Gateway.Destinations;

/// <summary>
/// Tells the AppHost a request is waiting on a cold cluster (<c>POST /_internal/demand/{cluster}</c>, fire and
/// forget, at most once a second per cluster) so scale-from-zero starts without waiting for the next load poll.
/// </summary>
internal sealed partial class DemandSignal(
    IHttpClientFactory clients, IConfiguration configuration, IOptions<InternalTokenOptions> token,
    TimeProvider time, ILogger<DemandSignal> logger)
{
    public const string ClientName = "apphost-demand";

    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);
    private readonly Uri? _appHost = Uri.TryCreate(configuration["services:apphost:http:0"], UriKind.Absolute, out var uri) ? uri : null;
    private readonly Dictionary<string, long> _lastSent = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Signal(string cluster)
    {
        if (_appHost is null)
        {
            return;
        }

        var now = time.GetTimestamp();
        lock (_lock)
        {
            if (_lastSent.TryGetValue(cluster, out var last) && time.GetElapsedTime(last, now) < MinInterval)
            {
                return;
            }

            _lastSent[cluster] = now;
        }

        _ = SendAsync(cluster);
    }

    private async Task SendAsync(string cluster)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_appHost!, $"/_internal/demand/{cluster}"));
            request.Headers.TryAddWithoutValidation(InternalTokenOptions.HeaderName, token.Value.Token);
            using var response = await clients.CreateClient(ClientName).SendAsync(request);
            LogDemandSent(logger, cluster, (int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            LogDemandFailed(logger, cluster, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demand for cold cluster {Cluster} sent to the AppHost: {Status}")]
    private static partial void LogDemandSent(ILogger logger, string cluster, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demand for cold cluster {Cluster} could not reach the AppHost: {Reason}")]
    private static partial void LogDemandFailed(ILogger logger, string cluster, string reason);
}
