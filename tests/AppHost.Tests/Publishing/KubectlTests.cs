using System.Diagnostics;
using BenchPlatform.AppHost.Hosting.Servers;
using BenchPlatform.AppHost.Publishing;
using k8s;
using Xunit.Abstractions;

namespace BenchPlatform.AppHost.Tests.Publishing;

/// <summary>
/// The published files read by kubectl itself, offline. <c>kubectl apply --dry-run=client</c> needs an API server
/// for discovery even with <c>--validate=false</c>, so this uses <c>kubectl kustomize</c>, which loads and
/// re-emits every document without a cluster; the field-level checks are <see cref="ManifestRules"/>'s.
/// </summary>
public sealed class KubectlTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"benchplatform-kubectl-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("hpa")]
    [InlineData("keda")]
    public async Task Kustomize_PublishedFolder_LoadsEveryObject(string autoscaler)
    {
        var kubectl = ExecutableLocator.Find("kubectl");
        var set = KubernetesPublisher.Build(PublishTopology.Stack(), InProcess.Options("--autoscaler", autoscaler));
        KubernetesPublisher.Write(set, _folder);
        var count = set.Manifests.Sum(f => f.Objects.Count);
        if (kubectl is null)
        {
            output.WriteLine("kubectl is not installed: only the in-process checks (ManifestRules) ran.");
            Assert.Empty(ManifestRules.Check(Manifests.Load(_folder)));
            return;
        }

        var files = set.Manifests.Select(f => $"  - {f.Name}");
        await File.WriteAllTextAsync(Path.Combine(_folder, "kustomization.yaml"), $"resources:\n{string.Join('\n', files)}\n");
        var start = new ProcessStartInfo(kubectl, ["kustomize", _folder]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["KUBECONFIG"] = Path.Combine(_folder, "no-kubeconfig");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(process.ExitCode == 0, $"kubectl kustomize failed: {await stderr}");
        var emitted = KubernetesYaml.LoadAllFromString(await stdout, Manifests.CustomKinds, strict: true);
        Assert.Equal(count, emitted.Count);
    }
}
