using BenchPlatform.AppHost.Hosting.Orchestration;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BenchPlatform.AppHost.Dashboard.Load;

/// <summary>
/// <c>GET /api/dashboard/load?minutes=</c>: requests per second and latency percentiles through the entry service,
/// replicas desired/ready and in-flight per scalable project, and the replica events (cold starts) to mark.
/// </summary>
internal static class LoadApi
{
    private static readonly HashSet<string> Marked = new(StringComparer.Ordinal) { "process-start", "ready", "draining", "stopped", "restarting", "gave-up" };

    public static RouteGroupBuilder MapLoadApi(this RouteGroupBuilder api)
    {
        api.MapGet("/load", Get);
        return api;
    }

    private static Ok<LoadView> Get(double? minutes, LoadTimeline timeline, Orchestrator orchestrator, TimeProvider time)
    {
        var to = time.GetUtcNow().ToUnixTimeMilliseconds();
        var from = to - (long)(Math.Clamp(minutes ?? 5, 0.5, timeline.Seconds / 60.0) * 60_000);
        var series = timeline.Snapshot(from, to);
        var events = orchestrator.Events
            .Where(e => Marked.Contains(e.Event) && e.Timestamp.ToUnixTimeMilliseconds() >= series.From)
            .Select(e => new EventPoint(e.Timestamp.ToUnixTimeMilliseconds(), e.Replica, e.Event, e.Detail))
            .ToList();
        return TypedResults.Ok(new LoadView(series, events));
    }

    /// <summary>The charts' data and the events to mark on them.</summary>
    internal sealed record LoadView(LoadSeries Series, IReadOnlyList<EventPoint> Events);

    /// <summary>A replica lifecycle event at <c>T</c> (Unix ms); <c>ready</c> after <c>process-start</c> is a cold start.</summary>
    internal sealed record EventPoint(long T, string Replica, string Event, string? Detail);
}
