using System.Diagnostics;
using System.Globalization;
using BenchPlatform.AppHost.Dashboard.Security;
using BenchPlatform.AppHost.Hosting.Orchestration;
using BenchPlatform.AppHost.Hosting.Resources;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace BenchPlatform.AppHost.Dashboard.Resources;

/// <summary>
/// <c>GET /api/dashboard/resources</c>: every resource with state, health, endpoints, PID, start time, restarts and
/// redacted environment; <c>POST /api/dashboard/resources/{name}/{stop|start|restart}</c> for projects and replicas.
/// </summary>
internal static class ResourcesApi
{
    public static RouteGroupBuilder MapResourcesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/resources", GetResources);
        api.MapPost("/resources/{name}/{action}", PostActionAsync).AddEndpointFilter(RequireSameOriginAsync);
        return api;
    }

    internal static Ok<List<ResourceView>> GetResources(Orchestrator orchestrator, Topology topology, HealthPoller health, SecretRedactor redactor)
    {
        var rows = new List<ResourceView>();
        foreach (var resource in topology.Resources)
        {
            rows.Add(resource switch
            {
                ProjectResource project => Project(orchestrator, orchestrator.Runner(project), health, redactor),
                _ => Server(orchestrator, resource),
            });
        }

        return TypedResults.Ok(rows);
    }

    private static ResourceView Server(Orchestrator orchestrator, Resource resource)
    {
        var ready = orchestrator.IsReady(resource);
        var process = orchestrator.ServerProcessOf(resource);
        var alive = process is { HasExited: false };
        var (type, endpoint, detail) = resource switch
        {
            PostgresServerResource pg => ("postgres", $"tcp://127.0.0.1:{pg.Port.ToString(CultureInfo.InvariantCulture)}", "PostgreSQL"),
            PostgresDatabaseResource db => ("database", $"tcp://127.0.0.1:{db.Server.Port.ToString(CultureInfo.InvariantCulture)}/{db.DatabaseName}", $"database on {db.Server.Name}"),
            RedisResource redis => ("redis", $"tcp://127.0.0.1:{redis.Port.ToString(CultureInfo.InvariantCulture)}", "Redis protocol"),
            _ => (resource.GetType().Name, string.Empty, null),
        };

        var state = !ready ? "starting" : process is null || alive ? "running" : "exited";
        var healthText = !ready ? "starting" : process is null || alive ? "healthy" : "unhealthy";
        return new ResourceView(
            resource.Name, type, state, healthText,
            endpoint.Length == 0 ? [] : [new EndpointView(type, endpoint)],
            alive ? process!.Id : null, alive ? StartTimeOf(process!.Id) : null, 0, [], [], [], detail);
    }

    private static ResourceView Project(Orchestrator orchestrator, ProjectRunner runner, HealthPoller health, SecretRedactor redactor)
    {
        var replicas = runner.Replicas.OrderBy(r => r.Index).Select(r => new ReplicaView(
            r.Id,
            r.State.ToString().ToLowerInvariant(),
            r.State == ReplicaState.Stopped ? "stopped" : health.HealthOf(r.Id),
            r.Address.TrimEnd('/'),
            r.ProcessId,
            r.ProcessId is { } pid ? StartTimeOf(pid) : null,
            r.Restarts,
            Math.Round(r.ReadyMs, 1))).ToList();

        var state = replicas.Count == 0 ? "stopped"
            : replicas.TrueForAll(r => r.State == "ready") ? "running"
            : replicas.Exists(r => r.State == "ready") ? "degraded"
            : replicas[0].State;
        var healthText = replicas.Count == 0 ? "stopped"
            : replicas.TrueForAll(r => r.Health == "healthy") ? "healthy"
            : replicas.Exists(r => r.Health is "unhealthy" or "unreachable") ? "unhealthy"
            : replicas.Exists(r => r.Health == "unknown") ? "unknown"
            : "degraded";

        var environment = new List<VariableView>();
        if (runner.Replicas.FirstOrDefault() is { } first)
        {
            foreach (var (name, value) in ServiceEnvironment.For(orchestrator, runner, first).OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                if (value is not null)
                {
                    environment.Add(new VariableView(name, redactor.RedactVariable(name, value)));
                }
            }
        }

        var only = replicas.Count == 1 ? replicas[0] : null;
        return new ResourceView(
            runner.Resource.Name,
            "project",
            state,
            healthText,
            [.. replicas.Select(r => new EndpointView(r.Id, r.Endpoint))],
            only?.Pid,
            only?.StartedAt,
            replicas.Sum(r => r.Restarts),
            replicas,
            environment,
            runner.Desired == 0 ? ["start"] : ["stop", "restart"],
            $"{runner.Ready} of {runner.Desired} ready (min {runner.Min}, max {runner.Max})");
    }

    private static async Task<Results<Accepted<ActionResult>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> PostActionAsync(
        string name, string action, Orchestrator orchestrator, CancellationToken cancellationToken)
    {
        var runner = orchestrator.Runners.Values.FirstOrDefault(r => r.Resource.Name == name);
        var replica = orchestrator.Runners.Values.SelectMany(r => r.Replicas).FirstOrDefault(r => r.Id == name);
        if (runner is null && replica is null)
        {
            var names = orchestrator.Runners.Values.Select(r => r.Resource.Name)
                .Concat(orchestrator.Runners.Values.SelectMany(r => r.Replicas).Select(r => r.Id));
            return TypedResults.NotFound(Problem(404, "Unknown resource",
                $"No project or replica is named '{name}'; actions apply to: {string.Join(", ", names)} (servers cannot be stopped from the dashboard)."));
        }

        switch (action)
        {
            case "stop" when runner is not null:
                if (runner.Policy is not null)
                {
                    // An autoscaled project goes to zero; the autoscaler starts it again on demand.
                    await runner.SetBoundsAsync(0, runner.Max, cancellationToken);
                }

                await runner.ScaleToAsync(0, cancellationToken);
                return TypedResults.Accepted((string?)null, new ActionResult(name, action,
                    runner.Policy is null ? "draining and stopping every replica" : "scaling to zero (min 0); demand starts it again"));
            case "start" when runner is not null:
                var min = runner.Policy?.Min ?? runner.Resource.Replicas;
                if (runner.Policy is not null)
                {
                    // Scaled to zero by an operator (max 0): starting it restores the declared max.
                    await runner.SetBoundsAsync(min, runner.Max == 0 ? runner.Policy.Max : runner.Max, cancellationToken);
                }

                var count = Math.Max(1, min);
                await runner.ScaleToAsync(Math.Max(count, runner.Desired), cancellationToken);
                return TypedResults.Accepted((string?)null, new ActionResult(name, action, $"starting {count} replica(s)"));
            case "restart":
                var targets = replica is not null ? [replica] : runner!.Replicas.Where(r => r.State != ReplicaState.Draining).ToList();
                foreach (var target in targets)
                {
                    // Killing the process hands it to the replica's own restart loop, which starts it again at once.
                    target.KillNow();
                }

                return TypedResults.Accepted((string?)null, new ActionResult(name, action, $"restarting {string.Join(", ", targets.Select(t => t.Id))}"));
            default:
                return TypedResults.BadRequest(Problem(400, "Unknown action",
                    replica is not null
                        ? $"A replica can only be restarted; use POST /api/dashboard/resources/{name}/restart, or stop/start its project."
                        : $"'{action}' is not an action; use stop, start or restart."));
        }
    }

    private static async ValueTask<object?> RequireSameOriginAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!DashboardSecurity.IsSameOrigin(context.HttpContext.Request))
        {
            return TypedResults.Problem(
                title: "Cross-origin action refused",
                detail: "Actions that change the stack are accepted only from the dashboard's own pages (same Origin).",
                statusCode: StatusCodes.Status403Forbidden);
        }

        return await next(context);
    }

    private static ProblemDetails Problem(int status, string title, string detail) =>
        new() { Status = status, Title = title, Detail = detail };

    private static DateTimeOffset? StartTimeOf(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>What an accepted action will do.</summary>
    internal sealed record ActionResult(string Resource, string Action, string Detail);
}
