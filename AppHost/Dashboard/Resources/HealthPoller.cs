using System.Collections.Concurrent;
using System.Text.Json;
using BenchPlatform.AppHost.Hosting.Orchestration;

namespace BenchPlatform.AppHost.Dashboard.Resources;

/// <summary>
/// Probes every replica's <c>/health</c> every two seconds and keeps the latest answer
/// (<c>healthy</c>, <c>degraded</c>, <c>unhealthy</c> or <c>unreachable</c>) for the resources table.
/// </summary>
internal sealed class HealthPoller(Orchestrator orchestrator, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, string> _health = new(StringComparer.Ordinal);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(1.5) };

    /// <summary>The latest probe result of replica <paramref name="id"/>, or <c>unknown</c> before the first.</summary>
    public string HealthOf(string id) => _health.TryGetValue(id, out var health) ? health : "unknown";

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            var replicas = orchestrator.Runners.Values.SelectMany(r => r.Replicas).ToList();
            await Task.WhenAll(replicas.Select(r => ProbeAsync(r, stoppingToken)));
            foreach (var gone in _health.Keys.Except(replicas.Select(r => r.Id)))
            {
                _health.TryRemove(gone, out _);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken token)
    {
        try
        {
            return await timer.WaitForNextTickAsync(token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ProbeAsync(Replica replica, CancellationToken token)
    {
        if (replica.ProcessId is null)
        {
            _health[replica.Id] = "unreachable";
            return;
        }

        try
        {
            using var response = await _http.GetAsync(new Uri(replica.Address + "health"), token);
            var body = await response.Content.ReadAsStringAsync(token);
            _health[replica.Id] = StatusOf(body) ?? (response.IsSuccessStatusCode ? "healthy" : "unhealthy");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !token.IsCancellationRequested)
        {
            _health[replica.Id] = "unreachable";
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private static string? StatusOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String
                ? status.GetString()!.ToLowerInvariant()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
