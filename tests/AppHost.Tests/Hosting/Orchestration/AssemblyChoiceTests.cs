using BenchPlatform.AppHost.Hosting;
using BenchPlatform.AppHost.Hosting.Orchestration;
using BenchPlatform.AppHost.Hosting.Resources;

namespace BenchPlatform.AppHost.Tests.Hosting.Orchestration;

/// <summary>Which dll a replica runs: the override, the ReadyToRun publish beside the build when current, or the build.</summary>
public sealed class AssemblyChoiceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("assembly-choice-").FullName;

    private sealed record Metadata(string ProjectPath, string AssemblyPath) : IProjectOutput;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private LocalProjectResource Resource()
    {
        var built = Path.Combine(_folder, "Worker.dll");
        File.WriteAllText(built, "il");
        File.SetLastWriteTimeUtc(built, new DateTime(2026, 11, 23, 12, 0, 0, DateTimeKind.Utc));
        return new LocalProjectResource("inference", new Metadata(Path.Combine(_folder, "Worker.csproj"), built));
    }

    private string Precompiled(DateTime written)
    {
        Directory.CreateDirectory(Path.Combine(_folder, "r2r"));
        var path = Path.Combine(_folder, "r2r", "Worker.dll");
        File.WriteAllText(path, "r2r");
        File.SetLastWriteTimeUtc(path, written);
        return path;
    }

    [Fact]
    public void AssemblyFor_NoReadyToRunPublish_RunsTheBuildOutput()
    {
        var resource = Resource();

        Assert.Equal(resource.Metadata.AssemblyPath, ProjectRunner.AssemblyFor(resource, new AppHostOptions()));
    }

    [Fact]
    public void AssemblyFor_ReadyToRunPublishAsNewAsTheBuild_RunsThePublish()
    {
        var resource = Resource();
        var precompiled = Precompiled(new DateTime(2026, 11, 23, 12, 0, 5, DateTimeKind.Utc));

        Assert.Equal(precompiled, ProjectRunner.AssemblyFor(resource, new AppHostOptions()));
    }

    [Fact]
    public void AssemblyFor_ReadyToRunPublishOlderThanTheBuild_RunsTheBuildNotStaleCode()
    {
        var resource = Resource();
        Precompiled(new DateTime(2026, 11, 23, 11, 0, 0, DateTimeKind.Utc));

        Assert.Equal(resource.Metadata.AssemblyPath, ProjectRunner.AssemblyFor(resource, new AppHostOptions()));
    }

    [Fact]
    public void AssemblyFor_ConfiguredOverride_WinsOverBoth()
    {
        var resource = Resource();
        Precompiled(new DateTime(2026, 11, 23, 12, 0, 5, DateTimeKind.Utc));
        var options = new AppHostOptions();
        options.Assemblies["inference"] = Path.Combine(_folder, "other", "Worker.dll");

        Assert.Equal(Path.Combine(_folder, "other", "Worker.dll"), ProjectRunner.AssemblyFor(resource, options));
    }
}
