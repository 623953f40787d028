namespace BenchPlatform.AppHost.Tests.Hosting;

public sealed class ProjectMetadataTests
{
    [Fact]
    public void GeneratedProjects_PointAtTheReferencedProjectsAndTheirBuildOutput()
    {
        var gateway = new Projects.Gateway();
        var inference = new Projects.InferenceWorker_Gpu();

        Assert.EndsWith("Gateway/Gateway.csproj", gateway.ProjectPath, StringComparison.Ordinal);
        Assert.True(File.Exists(gateway.ProjectPath));
        Assert.EndsWith("InferenceWorker.Gpu.dll", inference.AssemblyPath, StringComparison.Ordinal);
        Assert.True(File.Exists(inference.AssemblyPath), $"{inference.AssemblyPath} is built with the AppHost");
    }
}
