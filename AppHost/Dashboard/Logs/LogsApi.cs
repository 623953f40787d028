using System.Text.Json;
using System.Threading.Channels;
using BenchPlatform.AppHost.Dashboard.Security;
using BenchPlatform.AppHost.Hosting.Orchestration;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace BenchPlatform.AppHost.Dashboard.Logs;

/// <summary>
/// Console output per process: <c>GET /api/dashboard/logs</c> (names), <c>GET /api/dashboard/logs/{name}?q=&amp;limit=</c>
/// (search the kept history) and <c>GET /api/dashboard/logs/{name}/stream</c> (server-sent events: the tail, then live lines).
/// Secrets are masked in every line.
/// </summary>
internal static class LogsApi
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapLogsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/logs", (Orchestrator orchestrator) => TypedResults.Ok(orchestrator.Logs.Keys.Order(StringComparer.Ordinal).ToList()));
        api.MapGet("/logs/{name}", Search);
        api.MapGet("/logs/{name}/stream", StreamAsync);
        return api;
    }

    private static Results<Ok<List<LogEntry>>, NotFound<ProblemDetails>> Search(
        string name, string? q, int? limit, Orchestrator orchestrator, SecretRedactor redactor)
    {
        if (!orchestrator.Logs.TryGetValue(name, out var log))
        {
            return TypedResults.NotFound(Unknown(orchestrator, name));
        }

        var lines = new List<LogEntry>();
        foreach (var line in log.Snapshot())
        {
            var text = redactor.Redact(line.Text);
            if (string.IsNullOrEmpty(q) || text.Contains(q, StringComparison.OrdinalIgnoreCase))
            {
                lines.Add(new LogEntry(line.Timestamp, text));
            }
        }

        var keep = Math.Clamp(limit ?? 500, 1, 10_000);
        return TypedResults.Ok(lines.Count > keep ? lines[^keep..] : lines);
    }

    private static async Task StreamAsync(
        string name, HttpContext context, Orchestrator orchestrator, SecretRedactor redactor, IOptions<DashboardOptions> options,
        IHostApplicationLifetime lifetime)
    {
        if (!orchestrator.Logs.TryGetValue(name, out var log))
        {
            await TypedResults.NotFound(Unknown(orchestrator, name)).ExecuteAsync(context);
            return;
        }

        // The stream ends when the browser leaves or the AppHost stops (else Kestrel would wait for it at shutdown).
        using var streaming = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var token = streaming.Token;
        var live = Channel.CreateBounded<LogLine>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropOldest });
        void OnLine(LogLine line) => live.Writer.TryWrite(line);

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        log.LineAppended += OnLine;
        try
        {
            var tail = log.Snapshot();
            var last = DateTimeOffset.MinValue;
            foreach (var line in tail.Skip(Math.Max(0, tail.Count - options.Value.LogTail)))
            {
                await WriteAsync(context.Response, line, redactor, token);
                last = line.Timestamp;
            }

            await context.Response.Body.FlushAsync(token);
            while (!token.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(token);
                wait.CancelAfter(Heartbeat);
                try
                {
                    if (!await live.Reader.WaitToReadAsync(wait.Token))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    await context.Response.WriteAsync(": keep-alive\n\n", token);
                    await context.Response.Body.FlushAsync(token);
                    continue;
                }

                while (live.Reader.TryRead(out var line))
                {
                    // Lines already sent in the tail arrive here too when they raced the snapshot.
                    if (line.Timestamp >= last)
                    {
                        await WriteAsync(context.Response, line, redactor, token);
                    }
                }

                await context.Response.Body.FlushAsync(token);
            }
        }
        catch (OperationCanceledException)
        {
            // The browser went away.
        }
        finally
        {
            log.LineAppended -= OnLine;
        }
    }

    private static Task WriteAsync(HttpResponse response, LogLine line, SecretRedactor redactor, CancellationToken token)
    {
        var json = JsonSerializer.Serialize(new LogEntry(line.Timestamp, redactor.Redact(line.Text)), JsonSerializerOptions.Web);
        return response.WriteAsync($"data: {json}\n\n", token);
    }

    private static ProblemDetails Unknown(Orchestrator orchestrator, string name) => new()
    {
        Status = 404,
        Title = "Unknown process",
        Detail = $"No process named '{name}' has output; use one of: {string.Join(", ", orchestrator.Logs.Keys.Order(StringComparer.Ordinal))}.",
    };

    /// <summary>One console line as the dashboard sends it.</summary>
    internal sealed record LogEntry(DateTimeOffset T, string Text);
}
