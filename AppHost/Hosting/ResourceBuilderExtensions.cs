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
    /// <c>AppHost:Autoscale:{name}:Min</c> and <c>:Max</c> override the declared bounds.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithAutoscale(
        this IResourceBuilder<ProjectResource> builder, int min, int max, int targetInflightPerReplica, TimeSpan scaleDownWindow)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(min);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, Math.Max(1, min));
        ArgumentOutOfRangeException.ThrowIfLessThan(targetInflightPerReplica, 1);
        builder.Resource.Autoscale = new AutoscalePolicy(min, max, targetInflightPerReplica, scaleDownWindow);
        builder.Resource.Replicas = min;
        return builder;
    }

    /// <summary>Serves the project on a fixed loopback port (single replica); otherwise a free port is used.</summary>
    public static IResourceBuilder<ProjectResource> WithHttpEndpoint(this IResourceBuilder<ProjectResource> builder, int? port = null)
    {
        builder.Resource.HttpPort = port;
        return builder;
    }

    /// <summary>Sets an environment variable for every replica of the project.</summary>
    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> builder, string name, string value)
    {
        builder.Resource.Environment[name] = value;
        return builder;
    }
}
