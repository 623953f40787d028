using System.Diagnostics;
using BenchPlatform.AppHost.Hosting.Servers;
using BenchPlatform.AppHost.Publishing;
using BenchPlatform.TestCommon;
using k8s.Models;

namespace BenchPlatform.AppHost.Tests.Publishing;

/// <summary>The real <c>publish</c> verb: the AppHost's build output run as a process on Program.cs's topology.</summary>
public sealed class PublishCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"benchplatform-publish-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Publish_DefaultArguments_WritesACompleteSetAndExitsZero()
    {
        // Run where a local AppHost would keep its state: publishing must not start the orchestrator.
        Directory.CreateDirectory(_folder);
        var output = Path.Combine(_folder, "k8s");

        var (exitCode, stdout, stderr) = await RunInAsync(_folder, "publish", "--output", "k8s");

        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");
        Assert.Contains($"Apply with: kubectl apply -f {output}", stdout, StringComparison.Ordinal);
        Assert.Equal(["k8s"], Directory.GetFileSystemEntries(_folder).Select(Path.GetFileName));
        Assert.Equal(
            [
                "00-namespace.yaml", "01-secrets.yaml", "02-shared-storage.yaml", "10-cache.yaml", "10-pg.yaml",
                "20-gateway.yaml", "20-inference.yaml", "20-sandbox.yaml", "30-network-policy.yaml", KubernetesPublisher.BuildScriptPath,
            ],
            Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var set = Manifests.Load(output);
        var problems = ManifestRules.Check(set);
        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.Equal(["gateway", "inference", "sandbox"], set.All<V1Deployment>().Select(d => d.Metadata.Name).Order(StringComparer.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            Assert.True(File.GetUnixFileMode(Path.Combine(output, KubernetesPublisher.BuildScriptPath)).HasFlag(UnixFileMode.UserExecute));
        }

        Assert.Contains("docker build -f deploy/docker/Gateway.Dockerfile -t localhost:5000/benchplatform-gateway:latest .",
            await File.ReadAllTextAsync(Path.Combine(output, KubernetesPublisher.BuildScriptPath)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_BadArguments_ExitsOneWithEveryMistakeAndWritesNothing()
    {
        var output = Path.Combine(_folder, "k8s");

        var (exitCode, stdout, stderr) = await RunAsync("publish", "--output", output, "--autoscaler", "vpa", "--gateway-replicas", "0", "-x");

        Assert.Equal(1, exitCode);
        Assert.Contains("error: --autoscaler 'vpa' is not one of hpa, keda, none.", stderr, StringComparison.Ordinal);
        Assert.Contains("error: --gateway-replicas '0' must be a whole number from 1 to 100.", stderr, StringComparison.Ordinal);
        Assert.Contains("error: Unknown option '-x' (see --help for the options of publish).", stderr, StringComparison.Ordinal);
        Assert.Contains("publish --help", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task Publish_ExternalNameNotInProgramCs_ExitsOneNamingTheResources()
    {
        var (exitCode, _, stderr) = await RunAsync("publish", "--output", _folder, "--external", "redis=host:6379");

        Assert.Equal(1, exitCode);
        Assert.Contains("error: --external 'redis' is not a resource with a connection string; the topology has: cache, registry.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_OutputIsAFile_ExitsTwoSayingItCannotWrite()
    {
        Directory.CreateDirectory(_folder);
        var file = Path.Combine(_folder, "not-a-folder");
        await File.WriteAllTextAsync(file, "x");

        var (exitCode, _, stderr) = await RunAsync("publish", "--output", file);

        Assert.Equal(2, exitCode);
        Assert.Contains($"error: cannot write to '{file}'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_Help_PrintsTheOptionsAndExitsZero()
    {
        var (exitCode, stdout, _) = await RunAsync("publish", "--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("--autoscaler hpa|keda|none", stdout, StringComparison.Ordinal);
        Assert.Contains("--no-gpu", stdout, StringComparison.Ordinal);
    }

    /// <summary>Runs <c>dotnet AppHost.dll ARGS</c> to its end (publishing starts no server).</summary>
    internal static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) =>
        RunInAsync(Path.GetTempPath(), args);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunInAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(DotNetHost.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(AppHostProcess.AppHostDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"AppHost {string.Join(' ', args)} did not exit within 60 s.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
