using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using BenchPlatform.AppHost.Hosting.Orchestration;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BenchPlatform.AppHost.Hosting.Control;

/// <summary>
/// <c>POST /_internal/warmup</c>: scales the autoscaled project up to <c>min_replicas</c>, waits for them to be
/// ready, loads each model on each of them (the worker's <c>POST /v1/models/{name}/warmup</c>) and reports the times.
/// </summary>
public static class WarmupApi
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);

    /// <summary>The body: models to load and how many replicas must hold them.</summary>
    public sealed record WarmupRequest(
        [property: JsonPropertyName("models")] string[]? Models,
        [property: JsonPropertyName("min_replicas")] int? MinReplicas);

    internal static async Task<IResult> PostWarmupAsync(HttpRequest http, Orchestrator orchestrator, CancellationToken cancellationToken)
    {
        var (request, malformed) = await ControlApi.ReadJsonAsync<WarmupRequest>(http, "{\"models\":[\"mlp\"],\"min_replicas\":1}", cancellationToken);
        if (malformed is not null)
        {
            return malformed;
        }

        var runner = orchestrator.Runners.Values.FirstOrDefault(r => r.Resource.Autoscale is not null);
        if (runner is null)
        {
            return TypedResults.Problem(title: "Nothing to warm up", detail: "No project is autoscaled in this topology; declare one with WithAutoscale.", statusCode: 404);
        }

        if (runner.Max == 0)
        {
            return TypedResults.Problem(
                title: "Scaled to zero",
                detail: $"'{runner.Resource.Name}' is scaled to zero by an operator (max 0); raise max first with PUT /v1/scale/{runner.Resource.Name} {{\"min\":0,\"max\":4}}.",
                statusCode: StatusCodes.Status409Conflict);
        }

        var models = request?.Models ?? [];
        var replicas = request?.MinReplicas ?? 1;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (models.Length == 0 || models.Any(string.IsNullOrWhiteSpace))
        {
            errors["models"] = ["Give 'models', a non-empty list of registered model names."];
        }

        if (replicas < 1 || replicas > runner.Max)
        {
            errors["min_replicas"] = [$"'min_replicas' must be between 1 and the current max ({runner.Max}) of '{runner.Resource.Name}'."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(e => e)));
        }

        if (runner.Desired < replicas)
        {
            await runner.ScaleToAsync(replicas, cancellationToken);
        }

        var deadline = orchestrator.Time.GetTimestamp() + (long)(ReadyTimeout.TotalSeconds * orchestrator.Time.TimestampFrequency);
        while (runner.Ready < replicas)
        {
            if (orchestrator.Time.GetTimestamp() > deadline)
            {
                return Unavailable($"Only {runner.Ready} of {replicas} replicas of '{runner.Resource.Name}' became ready within {ReadyTimeout.TotalSeconds:0} s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), orchestrator.Time, cancellationToken);
        }

        var report = new JsonArray();
        foreach (var replica in runner.Replicas.Where(r => r.State == ReplicaState.Ready).OrderBy(r => r.Index).Take(replicas))
        {
            var loaded = new JsonObject();
            foreach (var model in models)
            {
                using var call = new HttpRequestMessage(HttpMethod.Post, new Uri($"{replica.Address}v1/models/{Uri.EscapeDataString(model)}/warmup"));
                call.Headers.Add(ControlApi.TokenHeader, orchestrator.InternalToken);
                using var response = await orchestrator.Http.SendAsync(call, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    var detail = await response.Content.ReadAsStringAsync(cancellationToken);
                    return TypedResults.Problem(
                        title: "Warm-up failed",
                        detail: $"{replica.Id} could not load '{model}' (HTTP {(int)response.StatusCode}): {detail}",
                        statusCode: (int)response.StatusCode is >= 400 and < 500 ? (int)response.StatusCode : 502);
                }

                loaded[model] = await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken);
            }

            report.Add(new JsonObject
            {
                ["id"] = replica.Id,
                ["ready_ms"] = Math.Round(replica.ReadyMs, 1),
                ["models"] = loaded,
            });
        }

        return TypedResults.Json(new JsonObject { ["replicas"] = report }, JsonSerializerOptions.Web);
    }

    private static ProblemHttpResult Unavailable(string detail) =>
        TypedResults.Problem(title: "Replicas not ready", detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable,
            extensions: new Dictionary<string, object?> { ["retry_after_s"] = 5 });
}
