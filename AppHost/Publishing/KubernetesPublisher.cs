using System.Globalization;
using System.Text;
using BenchPlatform.AppHost.Hosting.Orchestration;
using BenchPlatform.AppHost.Hosting.Resources;
using k8s;
using k8s.Models;

namespace BenchPlatform.AppHost.Publishing;

/// <summary>
/// Turns the declared topology into Kubernetes manifests (typed with the KubernetesClient models) and writes them,
/// one file per resource, numbered so <c>kubectl apply -f DIR</c> creates the namespace and Secrets first.
/// </summary>
public static class KubernetesPublisher
{
    /// <summary>The notes file with the Prometheus adapter rule, in a subfolder that <c>kubectl apply -f DIR</c> skips.</summary>
    public const string AdapterValuesPath = "monitoring/prometheus-adapter-values.yaml";

    /// <summary>The first line of every manifest file; also how a later publish knows which files it may remove.</summary>
    public const string Header = "# Written by `dotnet run --project AppHost -- publish`; edit AppHost/Program.cs and publish again rather than this file.";

    /// <summary>The script that builds and pushes the images the manifests name (<c>kubectl apply -f DIR</c> ignores it).</summary>
    public const string BuildScriptPath = "build-images.sh";

    /// <summary>
    /// The mistakes in <paramref name="options"/> that only the topology reveals (e.g. an <c>--external</c> name that is
    /// not a resource with a connection string).
    /// </summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<LocalResource> resources, PublishOptions options)
    {
        var errors = new List<string>();
        var connectable = resources.OfType<IConnectionSource>().Select(r => ((LocalResource)r).Name).ToList();
        foreach (var name in options.External.Keys.Order(StringComparer.Ordinal))
        {
            if (!connectable.Contains(name, StringComparer.Ordinal))
            {
                errors.Add($"--external '{name}' is not a resource with a connection string; the topology has: {string.Join(", ", connectable)}.");
            }
        }

        if (!resources.OfType<LocalProjectResource>().Any())
        {
            errors.Add("The topology declares no project, so there is nothing to publish.");
        }

        return errors;
    }

    /// <summary>Builds the manifests of <paramref name="resources"/>; <paramref name="newSecret"/> makes each generated credential.</summary>
    public static PublishedSet Build(IReadOnlyList<LocalResource> resources, PublishOptions options, Func<string>? newSecret = null)
    {
        var topology = new Topology(resources);
        var secrets = new SecretPlan(resources, options, newSecret ?? SecretPlan.NewSecret);
        var files = new List<ManifestFile>
        {
            new("00-namespace.yaml", [Namespace(options)]),
            new("01-secrets.yaml", [.. secrets.Secrets]),
        };

        if (topology.Projects.Any(ProjectManifests.UsesSharedStorage))
        {
            files.Add(new("02-shared-storage.yaml", [SharedStorage(options)]));
        }

        foreach (var resource in resources)
        {
            switch (resource)
            {
                case RedisResource redis when !options.External.ContainsKey(redis.Name):
                    files.Add(new($"10-{redis.Name}.yaml",
                    [
                        .. BackingServiceManifests.Redis(redis, options),
                        NetworkPolicyManifests.ServerIngress(redis, "cache", BackingServiceManifests.RedisPort, topology, options),
                    ]));
                    break;
                case PostgresServerResource server when SecretPlan.InCluster(server, options):
                    files.Add(new($"10-{server.Name}.yaml",
                    [
                        .. BackingServiceManifests.Postgres(server, options),
                        NetworkPolicyManifests.ServerIngress(server, "database", BackingServiceManifests.PostgresPort, topology, options),
                    ]));
                    break;
                case LocalProjectResource project:
                    files.Add(new($"20-{project.Name}.yaml", [.. ProjectObjects(project, topology, options)]));
                    break;
            }
        }

        files.Add(new("30-network-policy.yaml", [NetworkPolicyManifests.DefaultDenyIngress(options)]));

        var notes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (options.Autoscaler == AutoscalerKind.Hpa && topology.Projects.Any(p => p.Autoscale is not null))
        {
            notes[AdapterValuesPath] = AutoscalerManifests.PrometheusAdapterValues();
        }

        notes[BuildScriptPath] = ImageBuildScript(topology, options);
        return new PublishedSet(files, notes);
    }

    /// <summary>
    /// Writes <paramref name="set"/> into <paramref name="folder"/>, replacing files of the same names and removing
    /// manifests an earlier publish wrote that the set no longer has (so <c>kubectl apply -f</c> does not bring back
    /// a resource that is now external, say); the Secrets file is readable by its owner only. Returns the paths written.
    /// </summary>
    public static IReadOnlyList<string> Write(PublishedSet set, string folder)
    {
        Directory.CreateDirectory(folder);
        var names = set.Manifests.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in Directory.GetFiles(folder, "*.yaml"))
        {
            if (!names.Contains(Path.GetFileName(stale)) && File.ReadLines(stale).FirstOrDefault() == Header)
            {
                File.Delete(stale);
            }
        }

        var written = new List<string>();
        foreach (var file in set.Manifests)
        {
            var path = Path.Combine(folder, file.Name);
            var text = Serialize(file);
            if (file.Objects.Any(o => o is V1Secret))
            {
                File.Delete(path);
                RunSecrets.WritePrivate(path, text);
            }
            else
            {
                File.WriteAllText(path, text);
            }

            written.Add(path);
        }

        foreach (var (name, text) in set.Notes)
        {
            var path = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            if (name.EndsWith(".sh", StringComparison.Ordinal) && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }

            written.Add(path);
        }

        return written;
    }

    /// <summary>The YAML of one file: its objects as documents separated by <c>---</c>.</summary>
    public static string Serialize(ManifestFile file) =>
        Header + "\n" + string.Join("---\n", file.Objects.Select(o => KubernetesYaml.Serialize(o).TrimEnd('\n') + "\n"));

    private static IEnumerable<IKubernetesObject> ProjectObjects(LocalProjectResource project, Topology topology, PublishOptions options)
    {
        var autoscaled = project.Autoscale is not null && options.Autoscaler != AutoscalerKind.None;
        foreach (var item in ProjectManifests.For(project, options, autoscaled))
        {
            yield return item;
        }

        if (autoscaled)
        {
            yield return AutoscalerManifests.For(project, project.Autoscale!, options);
        }

        yield return NetworkPolicyManifests.ProjectIngress(project, topology, options);
        if (ContainerProfiles.For(project).Role == ProjectRole.Sandbox)
        {
            yield return NetworkPolicyManifests.SandboxEgress(project, options);
        }
    }

    /// <summary>
    /// <c>docker build</c> and <c>docker push</c> for each project, from the repository root, with exactly the image
    /// names the Deployments use (the CUDA target for GPU workers).
    /// </summary>
    private static string ImageBuildScript(Topology topology, PublishOptions options)
    {
        var script = new StringBuilder();
        script.Append("""
            #!/usr/bin/env sh
            # Builds and pushes the images these manifests name. Run from the repository root.
            set -eu

            """);
        foreach (var project in topology.Projects)
        {
            var profile = ContainerProfiles.For(project);
            var image = ProjectManifests.Image(project, options);
            if (profile.Dockerfile.Length == 0)
            {
                script.Append(CultureInfo.InvariantCulture, $"# {project.Name}: no Dockerfile is known for {ContainerProfiles.ProjectName(project)}; build {image} yourself.\n");
                continue;
            }

            var target = profile.Role == ProjectRole.Worker ? (ProjectManifests.UsesGpu(project, options) ? " --target cuda" : " --target cpu") : "";
            script.Append(CultureInfo.InvariantCulture, $"docker build -f {profile.Dockerfile}{target} -t {image} .\n");
            script.Append(CultureInfo.InvariantCulture, $"docker push {image}\n");
        }

        return script.ToString();
    }

    private static V1Namespace Namespace(PublishOptions options) => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta
        {
            Name = options.Namespace,
            Labels = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [KubernetesNames.PartOfLabel] = KubernetesNames.PartOf,
                [KubernetesNames.ManagedByLabel] = KubernetesNames.ManagedBy,
            },
        },
    };

    private static V1PersistentVolumeClaim SharedStorage(PublishOptions options) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolumeClaim",
        Metadata = KubernetesNames.Metadata(KubernetesNames.SharedStorageClaim, options.Namespace, KubernetesNames.SharedStorageClaim, "storage"),
        Spec = new V1PersistentVolumeClaimSpec
        {
            // Every worker and the sandbox read the same blobs and optimized-model cache (Storage__Root).
            AccessModes = ["ReadWriteMany"],
            StorageClassName = options.SharedStorageClass,
            Resources = new V1VolumeResourceRequirements
            {
                Requests = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal) { ["storage"] = new("20Gi") },
            },
        },
    };
}
