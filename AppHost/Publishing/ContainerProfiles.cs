using BenchPlatform.AppHost.Hosting.Resources;

namespace BenchPlatform.AppHost.Publishing;

/// <summary>Looks up the <see cref="ContainerProfile"/> of a project resource.</summary>
internal static class ContainerProfiles
{
    /// <summary>The project's file name without extension, e.g. <c>InferenceWorker.Gpu</c>.</summary>
    public static string ProjectName(LocalProjectResource project) => Path.GetFileNameWithoutExtension(project.Metadata.ProjectPath);

    /// <summary>The known profile of <paramref name="project"/>, or an internal service's (a gateway when it has a public endpoint).</summary>
    public static ContainerProfile For(LocalProjectResource project)
    {
        if (ContainerProfile.Known.TryGetValue(ProjectName(project), out var profile))
        {
            return profile;
        }

        return project.HttpPort is not null ? ContainerProfile.Default with { Role = ProjectRole.Gateway } : ContainerProfile.Default;
    }
}
