using System.Text.RegularExpressions;
using BenchPlatform.AppHost.Publishing;
using BenchPlatform.TestCommon;

namespace BenchPlatform.AppHost.Tests.Publishing;

/// <summary>
/// The Dockerfiles the manifests' images are built from (no Docker on this machine, so they are checked as text):
/// each exists, is multi-stage, copies only paths that exist, runs the project's own dll as a non-root user.
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string> Projects => [.. ContainerProfile.Known.Keys];

    [Theory]
    [MemberData(nameof(Projects))]
    public void Dockerfile_EveryKnownProject_IsMultiStageNonRootAndRunsItsOwnDll(string project)
    {
        var path = Path.Combine(RepoPaths.Root, ContainerProfile.Known[project].Dockerfile);
        Assert.True(File.Exists(path), $"{path} is missing");
        var lines = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        var stages = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.True(stages.Count >= 2, $"{project}: one stage only");
        Assert.Contains(stages, s => s.Contains("dotnet/sdk", StringComparison.Ordinal) && s.EndsWith(" AS build", StringComparison.Ordinal));

        // Every runnable stage (one with an ENTRYPOINT) switches to uid 1654 and runs the project's dll.
        var runnable = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!lines[i].StartsWith("ENTRYPOINT", StringComparison.Ordinal))
            {
                continue;
            }

            runnable++;
            var stageStart = lines.FindLastIndex(i, l => l.StartsWith("FROM ", StringComparison.Ordinal));
            var user = lines.Skip(stageStart).Take(i - stageStart).LastOrDefault(l => l.StartsWith("USER ", StringComparison.Ordinal));
            Assert.Equal("USER 1654", user);
            Assert.Equal($"ENTRYPOINT [\"dotnet\", \"{project}.dll\"]", lines[i]);
        }

        Assert.True(runnable >= 1, $"{project}: no ENTRYPOINT");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Dockerfile_CopiesFromTheBuildContext_OnlyPathsThatExist(string project)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, ContainerProfile.Known[project].Dockerfile));

        foreach (Match copy in CopyFromContext().Matches(text))
        {
            foreach (var source in copy.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1))
            {
                var full = Path.Combine(RepoPaths.Root, source);
                Assert.True(File.Exists(full) || Directory.Exists(full), $"{project}: COPY {source} names nothing in the repository");
            }
        }

        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, ContainerProfile.Known[project].Dockerfile + ".dockerignore")), $"{project}: no .dockerignore");
    }

    [Fact]
    public void InferenceDockerfile_CudaOnnxRuntime_IsTheVersionTheProjectBuildsWith()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepoPaths.Root, ContainerProfile.Known["InferenceWorker.Gpu"].Dockerfile));
        var packages = File.ReadAllText(Path.Combine(RepoPaths.Root, "Directory.Packages.props"));

        var version = Regex.Match(packages, "PackageVersion Include=\"Microsoft.ML.OnnxRuntime\" Version=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(version);
        Assert.Contains($"ARG ORT_VERSION={version}", dockerfile, StringComparison.Ordinal);
        Assert.Contains(" AS cuda", dockerfile, StringComparison.Ordinal);
        Assert.Contains(" AS cpu", dockerfile, StringComparison.Ordinal);
    }

    // COPY without --from: sources are paths in the build context (the repository root).
    [GeneratedRegex(@"^COPY (?!--from)([^\n]+)$", RegexOptions.Multiline)]
    private static partial Regex CopyFromContext();
}
