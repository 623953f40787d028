using BenchPlatform.AppHost.Hosting.Resources;

namespace BenchPlatform.AppHost.Hosting;

/// <summary>The fluent calls that wire resources together (Aspire's names).</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>A database on this server, created at start when it does not exist.</summary>
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<PostgresServerResource> builder, string name, string? databaseName = null)
    {
        var database = new PostgresDatabaseResource(name, builder.Resource, databaseName ?? name);
        builder.Resource.Databases.Add(database);
        return builder.ApplicationBuilder.AddResource(database);
    }

    /// <summary>
    /// Hands the project the connection details of <paramref name="source"/>: a connection string for servers and
    /// databases, <c>services__{name}__http__{i}</c> for projects.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithReference(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<Resource> source)
    {
        if (source.Resource is not (IResourceWithConnectionString or ProjectResource))
        {
            throw new ArgumentException($"'{source.Resource.Name}' has no connection details to reference; reference a database, a cache or a project.", nameof(source));
        }

        builder.Resource.References.Add(source.Resource);
        return builder;
    }

    /// <summary>Starts the resource only once <paramref name="dependency"/> is ready (healthy).</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> dependency) where T : Resource
    {
        builder.Resource.WaitsFor.Add(dependency.Resource);
        return builder;
    }

    /// <summary>Runs <paramref name="replicas"/> copies of the project, each on its own port.</summary>
    public static IResourceBuilder<ProjectResource> WithReplicas(this IResourceBuilder<ProjectResource> builder, int replicas)
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
    public static IResourceBuilder<ProjectResource> WithAutoscale(
        this IResourceBuilder<ProjectResource> builder, int min, int max, int targetInflightPerReplica, TimeSpan scaleDownWindow, int buffer = 0)
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
    public static IResourceBuilder<ProjectResource> WithHttpEndpoint(this IResourceBuilder<ProjectResource> builder, int? port = null)
    {
        builder.Resource.HttpPort = port;
        return builder;
    }

    /// <summary>
    /// Declares models every replica loads and runs once before it reports ready (the inference worker's
    /// <c>Inference__Preload__{i}</c>), so a replica enters rotation warm.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPreload(this IResourceBuilder<ProjectResource> builder, params string[] models)
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
    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> builder, string name, string value)
    {
        builder.Resource.Environment[name] = value;
        return builder;
    }
}
