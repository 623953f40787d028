using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchPlatform.AppHost.Hosting.Orchestration;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BenchPlatform.AppHost.Hosting.Control;

/// <summary>
/// The AppHost's internal API on 127.0.0.1 (docs/internals.md): scale state and bounds, demand and warm-up,
/// all requiring the run's internal token in <c>X-Internal-Token</c>.
/// </summary>
public static class ControlApi
{
    /// <summary>The header that carries the internal token.</summary>
    public const string TokenHeader = "X-Internal-Token";

    /// <summary>Maps <c>/_internal/*</c>.</summary>
    public static IEndpointRouteBuilder MapControlApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/_internal").AddEndpointFilter(RequireTokenAsync);
        group.MapGet("/scale", GetScale);
        group.MapPut("/scale/{name}", PutScaleAsync);
        group.MapPost("/demand/{name}", PostDemand);
        group.MapPost("/warmup", WarmupApi.PostWarmupAsync);
        return app;
    }

    private static async ValueTask<object?> RequireTokenAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var orchestrator = context.HttpContext.RequestServices.GetRequiredService<Orchestrator>();
        var presented = context.HttpContext.Request.Headers[TokenHeader].ToString();
        var expected = Encoding.UTF8.GetBytes(orchestrator.InternalToken);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), expected))
        {
            return TypedResults.Problem(
                title: "Missing or wrong internal token",
                detail: $"The AppHost's control API is internal; send the run's token in {TokenHeader} (the gateway does).",
                statusCode: StatusCodes.Status401Unauthorized);
        }

        return await next(context);
    }

    /// <summary>The scale state of every project that others route to.</summary>
    public static Ok<Dictionary<string, ScaleState>> GetScale(Orchestrator orchestrator) =>
        TypedResults.Ok(Scalable(orchestrator).ToDictionary(r => r.Resource.Name, ScaleState.Of, StringComparer.Ordinal));

    private static async Task<Results<Ok<ScaleState>, ProblemHttpResult, ValidationProblem>> PutScaleAsync(
        string name, HttpRequest request, Orchestrator orchestrator, CancellationToken cancellationToken)
    {
        if (Find(orchestrator, name) is not { } runner)
        {
            return NotFound(orchestrator, name);
        }

        var (bounds, malformed) = await ReadJsonAsync<ScaleBounds>(request, "{\"min\":0,\"max\":4}", cancellationToken);
        if (malformed is not null)
        {
            return malformed;
        }

        // The most a max may be: what this machine places (one replica per core, or AppHost:ReplicasPerGpu per GPU), or the
        // topology's own max when that is higher (GET reports it, and a client restoring it must not be refused); the
        // autoscaler never places more than the machine gives capacity to either way.
        var capacity = runner.Resource.Autoscale is null ? int.MaxValue : Math.Max(orchestrator.Placement.Capacity, runner.Policy?.Max ?? 0);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (bounds?.Min is null && bounds?.Max is null)
        {
            errors["min"] = ["Give 'min' and/or 'max' (whole numbers of replicas, 0 or more), e.g. {\"min\":0,\"max\":4}; max 0 scales to zero."];
        }

        // A bound left out keeps its current value.
        var min = bounds?.Min ?? runner.Min;
        var max = bounds?.Max ?? runner.Max;
        if (min < 0)
        {
            errors["min"] = ["Give 'min', a whole number of replicas of 0 or more."];
        }

        if (max < 0)
        {
            errors["max"] = ["Give 'max', a whole number of replicas of 0 or more (0 scales to zero and refuses requests)."];
        }
        else if (max > capacity)
        {
            errors["max"] = [$"This machine can place at most {capacity} replicas of '{name}' (one per core, AppHost:ReplicasPerGpu per GPU, " +
                "AppHost:MaxCpuReplicas, or the topology's max); lower 'max'."];
        }
        else if (min > max && min >= 0)
        {
            errors["min"] = [bounds?.Min is null
                ? $"The current 'min' ({min}) exceeds the 'max' you gave ({max}); send both, e.g. {{\"min\":0,\"max\":{max}}}."
                : $"'min' ({min}) must not exceed 'max' ({max})."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(e => e)));
        }

        await orchestrator.SetBoundsAsync(runner, min, max, cancellationToken);
        return TypedResults.Ok(ScaleState.Of(runner));
    }

    private static Results<Accepted, ProblemHttpResult> PostDemand(string name, Orchestrator orchestrator)
    {
        if (Find(orchestrator, name) is not { } runner)
        {
            return NotFound(orchestrator, name);
        }

        orchestrator.OnDemand(runner);
        return TypedResults.Accepted((string?)null);
    }

    /// <summary>Reads a JSON body; a body that is not JSON of the expected shape is a 400 that shows what to send.</summary>
    internal static async Task<(T? Value, ValidationProblem? Problem)> ReadJsonAsync<T>(HttpRequest request, string example, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return (await JsonSerializer.DeserializeAsync<T>(request.Body, JsonSerializerOptions.Web, cancellationToken), null);
        }
        catch (JsonException ex)
        {
            var detail = $"The body is not valid JSON of the expected shape ({ex.Message}); send e.g. {example}.";
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [detail] }, detail: detail));
        }
    }

    internal static ProjectRunner? Find(Orchestrator orchestrator, string name) =>
        Scalable(orchestrator).FirstOrDefault(r => r.Resource.Name == name);

    /// <summary>404 <c>application/problem+json</c> naming the resources that exist.</summary>
    internal static ProblemHttpResult NotFound(Orchestrator orchestrator, string name) =>
        TypedResults.Problem(
            title: "Unknown resource",
            statusCode: StatusCodes.Status404NotFound,
            detail: $"No scalable resource is named '{name}'; use one of: {string.Join(", ", Scalable(orchestrator).Select(r => r.Resource.Name))}.");

    private static IEnumerable<ProjectRunner> Scalable(Orchestrator orchestrator) =>
        orchestrator.Runners.Values.Where(r => r.Resource.Autoscale is not null || orchestrator.RoutedTo(r));
}
