using System.Text;
using System.Text.RegularExpressions;
using BenchPlatform.AppHost.Publishing;
using BenchPlatform.TestCommon;
using k8s;
using k8s.Models;

namespace BenchPlatform.AppHost.Tests.Publishing;

/// <summary>
/// The default output of the real <c>publish</c> on Program.cs's topology, checked in under
/// <c>Snapshots/default/</c> so every change to the manifests is reviewed. Generated credentials are replaced by
/// <c>&lt;generated&gt;</c> (and Secrets shown decoded) before comparing. After an intended change, update with
/// <c>UPDATE_SNAPSHOTS=1 dotnet test tests/AppHost.Tests --filter FullyQualifiedName~SnapshotTests</c>.
/// </summary>
public sealed partial class SnapshotTests : IDisposable
{
    private static readonly string SnapshotFolder = Path.Combine(RepoPaths.Root, "tests", "AppHost.Tests", "Publishing", "Snapshots", "default");
    private readonly string _output = Path.Combine(Path.GetTempPath(), $"benchplatform-snapshot-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    [Fact]
    public async Task Publish_DefaultArguments_MatchesTheCheckedInSnapshot()
    {
        var (exitCode, _, stderr) = await PublishCommandTests.RunAsync("publish", "--output", _output);
        Assert.True(exitCode == 0, stderr);
        var actual = Directory.GetFiles(_output, "*", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetRelativePath(_output, p).Replace('\\', '/'), p => Normalize(Path.GetFileName(p), File.ReadAllText(p)), StringComparer.Ordinal);

        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            if (Directory.Exists(SnapshotFolder))
            {
                Directory.Delete(SnapshotFolder, recursive: true);
            }

            foreach (var (name, text) in actual)
            {
                var path = Path.Combine(SnapshotFolder, name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, text);
            }

            return;
        }

        const string update = "If the change is intended, update with: UPDATE_SNAPSHOTS=1 dotnet test tests/AppHost.Tests --filter FullyQualifiedName~SnapshotTests";
        Assert.True(Directory.Exists(SnapshotFolder), $"No snapshot at {SnapshotFolder}. {update}");
        var expected = Directory.GetFiles(SnapshotFolder, "*", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetRelativePath(SnapshotFolder, p).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal);
        Assert.True(expected.Keys.Order(StringComparer.Ordinal).SequenceEqual(actual.Keys.Order(StringComparer.Ordinal)),
            $"Files differ: snapshot has [{string.Join(", ", expected.Keys.Order(StringComparer.Ordinal))}], publish wrote [{string.Join(", ", actual.Keys.Order(StringComparer.Ordinal))}]. {update}");
        foreach (var (name, text) in expected)
        {
            var wanted = text.Split('\n');
            var got = actual[name].Split('\n');
            var line = Enumerable.Range(0, Math.Max(wanted.Length, got.Length))
                .FirstOrDefault(i => i >= wanted.Length || i >= got.Length || wanted[i] != got[i], -1);
            if (line >= 0)
            {
                Assert.Fail($"{name} differs from the snapshot at line {line + 1}:\n  snapshot: {(line < wanted.Length ? wanted[line] : "<end>")}\n  publish:  {(line < got.Length ? got[line] : "<end>")}\n{update}");
            }
        }
    }

    [Fact]
    public void Snapshot_Secrets_HoldNoCredential()
    {
        var text = File.ReadAllText(Path.Combine(SnapshotFolder, "01-secrets.yaml"));

        Assert.DoesNotMatch(GeneratedSecret(), text);
        Assert.Contains("<generated>", text, StringComparison.Ordinal);
    }

    /// <summary>Secrets decoded into <c>stringData</c> with each generated credential replaced; other files as written.</summary>
    private static string Normalize(string fileName, string text)
    {
        if (fileName != "01-secrets.yaml")
        {
            return text;
        }

        var secrets = KubernetesYaml.LoadAllFromString(text, null, strict: true).Cast<V1Secret>().ToList();
        foreach (var secret in secrets)
        {
            secret.StringData = (secret.Data ?? new Dictionary<string, byte[]>()).ToDictionary(
                p => p.Key, p => GeneratedSecret().Replace(Encoding.UTF8.GetString(p.Value), "<generated>"), StringComparer.Ordinal);
            secret.Data = null;
        }

        return KubernetesPublisher.Serialize(new ManifestFile(fileName, secrets));
    }

    [GeneratedRegex("[0-9a-f]{48}")]
    private static partial Regex GeneratedSecret();
}
