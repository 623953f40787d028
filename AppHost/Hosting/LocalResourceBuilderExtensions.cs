using BenchPlatform.AppHost.Hosting.Reporting;
using BenchPlatform.AppHost.Hosting.Resources;

namespace BenchPlatform.AppHost.Hosting;

/// <summary>
/// Declares resources the local orchestrator runs as processes on this machine (<see cref="LocalStack"/>), with
/// Aspire's names: a server, a database, a project of this solution, and the calls that wire them together.
/// </summary>
public static class LocalResourceBuilderExtensions
{
    /// <summary>A Redis-protocol server: <c>redis-server</c> when installed, else Garnet (built with the AppHost).</summary>
    public static IResourceBuilder<RedisResource> AddRedis(this IDistributedApplicationBuilder builder, string name) =>
        AddLocal(builder, new RedisResource(name), "Redis");

    /// <summary>A PostgreSQL server run from the installed binaries, its data under the state folder; add databases with <c>AddDatabase</c>.</summary>
    public static IResourceBuilder<PostgresServerResource> AddPostgres(this IDistributedApplicationBuilder builder, string name) =>
        AddLocal(builder, new PostgresServerResource(name), "PostgreSQL");

    /// <summary>A project of this solution, run from its (Release) build output as one or more replicas.</summary>
    public static IResourceBuilder<LocalProjectResource> AddProject<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectOutput, new() =>
        AddLocal(builder, new LocalProjectResource(name, new TProject()), "Project").WithLifecycleCommands();

    /// <summary>A database on this server, created at start when it does not exist.</summary>
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<PostgresServerResource> builder, string name, string? databaseName = null)
    {
        var database = new PostgresDatabaseResource(name, builder.Resource, databaseName ?? name);
        builder.Resource.Databases.Add(database);
        return AddLocal(builder.ApplicationBuilder, database, "PostgreSQL database");
    }

    private static IResourceBuilder<T> AddLocal<T>(IDistributedApplicationBuilder builder, T resource, string type) where T : LocalResource
    {
        LocalStack.Ensure(builder);
        return builder.AddResource(resource).WithInitialState(new CustomResourceSnapshot
        {
            ResourceType = type,
            State = KnownResourceStates.Waiting,
            Properties = [],
        });
    }

    /// <summary>
    /// Hands the project the connection details of <paramref name="source"/>: a connection string for servers and
    /// databases, <c>services__{name}__http__{i}</c> for projects.
    /// </summary>
    public static IResourceBuilder<LocalProjectResource> WithReference(this IResourceBuilder<LocalProjectResource> builder, IResourceBuilder<LocalResource> source)
    {
        if (source.Resource is not (IConnectionSource or LocalProjectResource))
        {
            throw new ArgumentException($"'{source.Resource.Name}' has no connection details to reference; reference a database, a cache or a project.", nameof(source));
        }

        builder.Resource.References.Add(source.Resource);
        return builder;
    }

    /// <summary>Starts the resource only once <paramref name="dependency"/> is ready (healthy).</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<LocalResource> dependency) where T : LocalResource
    {
        builder.Resource.WaitsFor.Add(dependency.Resource);
        return builder;
    }

    /// <summary>Runs <paramref name="replicas"/> copies of the project, each on its own port.</summary>
    public static IResourceBuilder<LocalProjectResource> WithReplicas(this IResourceBuilder<LocalProjectResource> builder, int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(replicas);
        builder.Resource.Replicas = replicas;
        return builder;
    }

    /// <summary>
    /// Scales the project with demand (see <see cref="AutoscalePolicy"/>); configuration
    /// <c>AppHost:Autoscale:{name}:Min</c>, <c>:Max</c>, <c>:TargetInflightPerReplica</c>, <c>:ScaleDownWindow</c> and
    /// <c>:Buffer</c> (warm spares beyond demand while there is demand) override the declared values.
    /// </summary>
    public static IResourceBuilder<LocalProjectResource> WithAutoscale(
        this IResourceBuilder<LocalProjectResource> builder, int min, int max, int targetInflightPerReplica, TimeSpan scaleDownWindow, int buffer = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(buffer);
        ArgumentOutOfRangeException.ThrowIfNegative(min);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, Math.Max(1, min));
        ArgumentOutOfRangeException.ThrowIfLessThan(targetInflightPerReplica, 1);
        builder.Resource.Autoscale = new AutoscalePolicy(min, max, targetInflightPerReplica, scaleDownWindow, buffer);
        builder.Resource.Replicas = min;
        return builder;
    }

    /// <summary>Serves the project on a fixed loopback port (single replica); otherwise a free port is used.</summary>
    public static IResourceBuilder<LocalProjectResource> WithHttpEndpoint(this IResourceBuilder<LocalProjectResource> builder, int? port = null)
    {
        builder.Resource.HttpPort = port;
        return builder;
    }

    /// <summary>
    /// Declares models every replica loads and runs once before it reports ready (the inference worker's
    /// <c>Inference__Preload__{i}</c>), so a replica enters rotation warm.
    /// </summary>
    public static IResourceBuilder<LocalProjectResource> WithPreload(this IResourceBuilder<LocalProjectResource> builder, params string[] models)
    {
        ArgumentNullException.ThrowIfNull(models);
        foreach (var model in models)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(model, nameof(models));
            if (builder.Resource.Preload.Contains(model, StringComparer.Ordinal))
            {
                continue;
            }

            builder.Resource.Environment[$"Inference__Preload__{builder.Resource.Preload.Count}"] = model;
            builder.Resource.Preload.Add(model);
        }

        return builder;
    }

    /// <summary>Sets an environment variable for every replica of the project.</summary>
    public static IResourceBuilder<LocalProjectResource> WithEnvironment(this IResourceBuilder<LocalProjectResource> builder, string name, string value)
    {
        builder.Resource.Environment[name] = value;
        return builder;
    }
}
