using System.Net;
using System.Text.Json;
using BenchPlatform.AppHost.Hosting.Control;
using BenchPlatform.AppHost.Hosting.Orchestration;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BenchPlatform.AppHost.Dashboard.Resources;

/// <summary>
/// <c>GET /api/dashboard/models</c>: for each ready replica of each project others route to, the models it lists
/// (<c>GET /v1/models</c>) and whether each is loaded there (<c>GET /v2/models/{name}/ready</c>), asked with the
/// internal token; a replica that does not serve those endpoints is reported as not exposing models.
/// </summary>
internal static class ModelsApi
{
    private const int MaxModels = 50;

    public static RouteGroupBuilder MapModelsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/models", GetAsync);
        return api;
    }

    private static async Task<Ok<List<ReplicaModels>>> GetAsync(Orchestrator orchestrator, CancellationToken cancellationToken)
    {
        var replicas = orchestrator.Runners.Values
            .Where(r => orchestrator.RoutedTo(r) || r.Resource.Autoscale is not null)
            .SelectMany(r => r.Replicas.Where(x => x.State == ReplicaState.Ready))
            .OrderBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var results = await Task.WhenAll(replicas.Select(r => AskAsync(http, r, orchestrator.InternalToken, cancellationToken)));
        return TypedResults.Ok(results.ToList());
    }

    private static async Task<ReplicaModels> AskAsync(HttpClient http, Replica replica, string token, CancellationToken cancellationToken)
    {
        try
        {
            using var list = await SendAsync(http, replica.Address + "v1/models", token, cancellationToken);
            if (!list.IsSuccessStatusCode)
            {
                return new ReplicaModels(replica.Id, false, $"GET /v1/models answered {(int)list.StatusCode}: this worker does not list its models yet", []);
            }

            using var json = JsonDocument.Parse(await list.Content.ReadAsStringAsync(cancellationToken));
            var names = new List<string>();
            if (json.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
            {
                foreach (var model in data.EnumerateArray())
                {
                    if (model.TryGetProperty("id", out var id) && id.GetString() is { } name && names.Count < MaxModels)
                    {
                        names.Add(name);
                    }
                }
            }

            var states = await Task.WhenAll(names.Select(async name =>
            {
                using var ready = await SendAsync(http, $"{replica.Address}v2/models/{Uri.EscapeDataString(name)}/ready", token, cancellationToken);
                return new ModelState(name, ready.StatusCode switch
                {
                    HttpStatusCode.OK => "loaded",
                    HttpStatusCode.NotFound => "unknown",
                    _ => "not loaded",
                });
            }));
            return new ReplicaModels(replica.Id, true, null, states);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            return new ReplicaModels(replica.Id, false, $"could not ask the replica: {ex.Message}", []);
        }
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string url, string token, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url));
        request.Headers.Add(ControlApi.TokenHeader, token);
        return http.SendAsync(request, cancellationToken);
    }

    /// <summary>The models one replica reports.</summary>
    internal sealed record ReplicaModels(string Replica, bool Exposed, string? Note, IReadOnlyList<ModelState> Models);

    /// <summary>A model and whether it is loaded on the replica.</summary>
    internal sealed record ModelState(string Name, string State);
}
