using System.Globalization;
using BenchPlatform.AppHost.Hosting.Resources;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>The environment a replica starts with (docs/internals.md, Aspire's names).</summary>
internal static class ServiceEnvironment
{
    // Inherited variables that would fight the URL the AppHost assigns.
    private static readonly string[] Removed = ["ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS", "ASPNETCORE_URLS"];

    public static IEnumerable<KeyValuePair<string, string?>> For(Orchestrator orchestrator, ProjectRunner runner, Replica replica)
    {
        var resource = runner.Resource;
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in Removed)
        {
            env[name] = null;
        }

        var url = $"http://127.0.0.1:{replica.Port.ToString(CultureInfo.InvariantCulture)}";
        env["ASPNETCORE_URLS"] = replica.UnixSocket is { } socket ? $"{url};http://unix:{socket}" : url;
        env["OTEL_SERVICE_NAME"] = resource.Name;
        // Aspire's dashboard names a service's telemetry "{service.name}-{service.instance.id}": with the replica's index
        // that is "inference-0", the replica's own row, so the row's logs, traces and metrics links find it.
        env["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={replica.Index.ToString(CultureInfo.InvariantCulture)}";
        foreach (var (name, value) in Telemetry(orchestrator.Configuration))
        {
            env[name] = value;
        }

        env["Internal__Token"] = orchestrator.Secrets.InternalToken;
        env["Storage__Root"] = orchestrator.StateFolder;
        env["Logging__Console__FormatterName"] = "simple";
        env["Logging__Console__FormatterOptions__SingleLine"] = "true";
        env["DOTNET_NOLOGO"] = "1";

        var routesToProjects = false;
        foreach (var reference in resource.References)
        {
            switch (reference)
            {
                case IConnectionSource source:
                    env[$"ConnectionStrings__{source.ConnectionName}"] = source.ConnectionString;
                    break;
                case LocalProjectResource project:
                    routesToProjects = true;
                    var i = 0;
                    foreach (var target in orchestrator.Runner(project).Replicas.Where(r => r.State != ReplicaState.Draining))
                    {
                        env[$"services__{project.Name}__http__{i++}"] = target.Address.TrimEnd('/');
                    }

                    break;
            }
        }

        if (routesToProjects)
        {
            env["services__apphost__http__0"] = orchestrator.ControlUrl;
        }

        foreach (var (name, value) in orchestrator.Placement.EnvironmentFor(runner, replica))
        {
            env[name] = value;
        }

        foreach (var (name, value) in resource.Environment)
        {
            env[name] = value;
        }

        return env;
    }

    /// <summary>
    /// Traces, metrics and logs to Aspire's dashboard over OTLP/HTTP with its API key (what Aspire's
    /// <c>WithOtlpExporter</c> hands a project), unless the environment already names an OTLP endpoint.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string?>> Telemetry(IConfiguration configuration)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))
            || configuration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] is not { Length: > 0 } endpoint)
        {
            yield break;
        }

        yield return new("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
        yield return new("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        if (configuration["AppHost:OtlpApiKey"] is { Length: > 0 } key)
        {
            yield return new("OTEL_EXPORTER_OTLP_HEADERS", $"x-otlp-api-key={key}");
        }

        // Small export delays so the dashboard's pages follow a request within about a second.
        yield return new("OTEL_BSP_SCHEDULE_DELAY", "1000");
        yield return new("OTEL_BLRP_SCHEDULE_DELAY", "1000");
        yield return new("OTEL_METRIC_EXPORT_INTERVAL", "1000");
    }
}
