using BenchPlatform.AppHost.Publishing;

namespace BenchPlatform.AppHost.Tests.Publishing;

public sealed class KubernetesPublisherWriteTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"benchplatform-write-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void Write_AgainWithServersExternal_RemovesTheirOldManifestsButNoFileItDidNotWrite()
    {
        var stack = PublishTopology.Stack();
        KubernetesPublisher.Write(KubernetesPublisher.Build(stack, InProcess.Options()), _folder);
        var mine = Path.Combine(_folder, "99-my-ingress.yaml");
        File.WriteAllText(mine, "apiVersion: networking.k8s.io/v1\nkind: Ingress\n");
        Assert.True(File.Exists(Path.Combine(_folder, "10-cache.yaml")));

        KubernetesPublisher.Write(
            KubernetesPublisher.Build(stack, InProcess.Options("--external", "cache=r:6379", "--external", "registry=Host=db")), _folder);

        Assert.False(File.Exists(Path.Combine(_folder, "10-cache.yaml")));
        Assert.False(File.Exists(Path.Combine(_folder, "10-pg.yaml")));
        Assert.True(File.Exists(mine));
        Assert.Empty(Manifests.Parse(Directory.GetFiles(_folder, "*.yaml").Where(p => p != mine)
            .ToDictionary(p => Path.GetFileName(p), File.ReadAllText, StringComparer.Ordinal)).All<k8s.Models.V1StatefulSet>());
    }

    [Fact]
    public void Write_SecretsFile_IsReadableByItsOwnerOnly()
    {
        KubernetesPublisher.Write(KubernetesPublisher.Build(PublishTopology.Stack(), InProcess.Options()), _folder);

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_folder, "01-secrets.yaml")));
            Assert.True(File.GetUnixFileMode(Path.Combine(_folder, "20-gateway.yaml")).HasFlag(UnixFileMode.OtherRead));
        }
    }
}
