using BenchPlatform.AppHost.Hosting.Resources;
using BenchPlatform.AppHost.Hosting.Servers;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>Checks before anything starts that every program and build output the topology needs is there.</summary>
internal static class Preflight
{
    /// <summary>Throws <see cref="MissingDependencyException"/> naming what to install or build.</summary>
    public static void Check(IReadOnlyList<Resource> resources, AppHostOptions options)
    {
        if (resources.OfType<PostgresServerResource>().Any())
        {
            LocalPostgres.FindBinFolder(options.PostgresSearchFolders);
        }

        if (resources.OfType<RedisResource>().Any())
        {
            LocalRedis.EnsureAvailable();
        }

        foreach (var project in resources.OfType<ProjectResource>())
        {
            if (!File.Exists(project.Metadata.AssemblyPath))
            {
                throw new MissingDependencyException(
                    $"The build output of '{project.Name}' ({project.Metadata.AssemblyPath}) does not exist; build the solution first: dotnet build.");
            }
        }
    }
}
