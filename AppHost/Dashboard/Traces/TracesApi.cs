using System.Buffers;
using BenchPlatform.AppHost.Dashboard.Load;
using BenchPlatform.AppHost.Dashboard.Security;
using BenchPlatform.AppHost.Hosting.Orchestration;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace BenchPlatform.AppHost.Dashboard.Traces;

/// <summary>
/// <c>POST /api/v2/spans</c> (Zipkin v2 JSON, what every service exports to) and the dashboard's trace views:
/// <c>GET /api/dashboard/traces?service=&amp;route=&amp;min_ms=&amp;errors=&amp;limit=</c> and <c>GET /api/dashboard/traces/{id}</c>.
/// </summary>
internal static class TracesApi
{
    public static IEndpointRouteBuilder MapZipkinCollector(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v2/spans", IngestAsync).AddEndpointFilter(RequireLocalAsync);
        return app;
    }

    public static RouteGroupBuilder MapTracesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/traces", List);
        api.MapGet("/traces/{id}", Get);
        return api;
    }

    internal static async Task<Results<Accepted, BadRequest<ProblemDetails>, ProblemHttpResult>> IngestAsync(
        HttpRequest request, SpanStore store, LoadTimeline timeline, EntryServices entry, IOptions<DashboardOptions> options)
    {
        var limit = options.Value.MaxSpanBatchBytes;
        if (request.ContentLength > limit)
        {
            return TooLarge(limit);
        }

        // One pooled buffer per batch, grown by doubling up to the limit.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 16 * 1024, 1024, limit));
        var length = 0;
        IReadOnlyList<SpanRecord>? spans;
        string? error;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length), request.HttpContext.RequestAborted)) > 0)
            {
                length += read;
                if (length > limit)
                {
                    return TooLarge(limit);
                }

                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }

            spans = ZipkinConverter.Parse(buffer.AsSpan(0, length), out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (spans is null)
        {
            return TypedResults.BadRequest(new ProblemDetails { Status = 400, Title = "Invalid spans", Detail = error });
        }

        store.Add(spans);
        foreach (var span in spans)
        {
            if (entry.IsEntry(span))
            {
                timeline.RecordRequest(span.StartUs / 1000, span.DurationUs / 1000.0, span.Error);
            }
        }

        return TypedResults.Accepted((string?)null);
    }

    private static Ok<TraceList> List(
        string? service, string? route, double? min_ms, bool? errors, int? limit, SpanStore store)
    {
        var query = new TraceQuery(service, route, min_ms, errors ?? false, Math.Clamp(limit ?? 100, 1, 1000));
        return TypedResults.Ok(new TraceList(store.Find(query), store.Services(), store.TraceCount, store.MaxTraces, store.Bytes, store.MaxBytes, store.EvictedTraces, store.DroppedSpans));
    }

    private static Results<Ok<TraceDetail>, NotFound<ProblemDetails>> Get(string id, SpanStore store, Orchestrator orchestrator, SecretRedactor redactor)
    {
        if (store.Get(id) is not { Count: > 0 } spans)
        {
            return TypedResults.NotFound(new ProblemDetails
            {
                Status = 404,
                Title = "Unknown trace",
                Detail = $"No trace '{id}' is kept (it may have been evicted: the store keeps the latest {store.MaxTraces}, {store.MaxBytes / (1024 * 1024)} MiB at most).",
            });
        }

        var replicas = ReplicaPorts(orchestrator);
        var views = spans.Select(s => new SpanView(
            s.SpanId, s.ParentId, s.Name, s.Kind, s.Service, InstanceOf(s, replicas), s.StartUs, s.DurationUs, s.Error, s.StatusCode,
            s.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).ToDictionary(t => t.Key, t => redactor.Redact(t.Value), StringComparer.Ordinal))).ToList();
        return TypedResults.Ok(new TraceDetail(StoreSummary(spans), views));
    }

    private static TraceSummary StoreSummary(IReadOnlyList<SpanRecord> spans) => SpanStore.Summarize(spans);

    /// <summary>Which replica served a span: its <c>service.instance.id</c> when exported, else the replica listening on its port.</summary>
    private static string? InstanceOf(SpanRecord span, Dictionary<(string, int), string> replicas)
    {
        if (span.Tags.TryGetValue("service.instance.id", out var instance))
        {
            return instance;
        }

        return span.Kind == "SERVER"
            && span.Tags.TryGetValue("server.port", out var portText)
            && int.TryParse(portText, System.Globalization.CultureInfo.InvariantCulture, out var port)
            && replicas.TryGetValue((span.Service, port), out var id)
                ? id
                : null;
    }

    private static Dictionary<(string, int), string> ReplicaPorts(Orchestrator orchestrator)
    {
        var ports = new Dictionary<(string, int), string>();
        foreach (var runner in orchestrator.Runners.Values)
        {
            foreach (var replica in runner.Replicas)
            {
                ports[(runner.Resource.Name, replica.Port)] = replica.Id;
            }
        }

        return ports;
    }

    private static async ValueTask<object?> RequireLocalAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!DashboardSecurity.IsLocal(context.HttpContext))
        {
            return TypedResults.Problem(
                title: "Not a local request",
                detail: "The span collector accepts spans only from processes on this machine, addressed to 127.0.0.1 or localhost.",
                statusCode: StatusCodes.Status403Forbidden);
        }

        return await next(context);
    }

    private static ProblemHttpResult TooLarge(int limit) => TypedResults.Problem(
        title: "Span batch too large",
        detail: $"Send at most {limit} bytes per request (Dashboard:MaxSpanBatchBytes); export smaller batches.",
        statusCode: StatusCodes.Status413PayloadTooLarge);

    /// <summary>The trace list with the store's bounds.</summary>
    internal sealed record TraceList(
        IReadOnlyList<TraceSummary> Traces, IReadOnlyList<string> Services, int Kept, int MaxTraces, long KeptBytes, long MaxBytes, long Evicted, long DroppedSpans);

    /// <summary>One trace for the waterfall.</summary>
    internal sealed record TraceDetail(TraceSummary Summary, IReadOnlyList<SpanView> Spans);

    /// <summary>One span for the waterfall, with the replica that served it when known.</summary>
    internal sealed record SpanView(
        string Id, string? ParentId, string Name, string Kind, string Service, string? Instance,
        long StartUs, long DurationUs, bool Error, int? StatusCode, IReadOnlyDictionary<string, string> Tags);
}
