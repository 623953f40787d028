using System.Globalization;
using BenchPlatform.AppHost.Hosting.Resources;
using k8s;
using k8s.Models;

namespace BenchPlatform.AppHost.Publishing;

/// <summary>
/// A project as a Deployment and a Service: the environment the local AppHost hands it (docs/internals.md) with
/// credentials from Secrets, probes on <c>/health</c> and <c>/alive</c>, requests and limits, a read-only root;
/// the gateway also gets its API keys and a PodDisruptionBudget, workers a GPU and a drain before they stop.
/// </summary>
internal static class ProjectManifests
{
    /// <summary>The uid of the <c>app</c> user in the .NET runtime images.</summary>
    public const long AppUid = 1654;

    /// <summary>Where the shared volume is mounted (<c>Storage__Root</c>).</summary>
    public const string SharedStoragePath = "/data";

    /// <summary>How long a stopping worker stays in its Service's endpoints' wake before SIGTERM, so no new request reaches it.</summary>
    public const int DrainSeconds = 10;

    /// <summary>How long a stopping worker may finish its in-flight requests (the gateway's default request timeout is 100 s).</summary>
    public const int WorkerShutdownSeconds = 100;

    public static IEnumerable<IKubernetesObject> For(LocalProjectResource project, PublishOptions options, bool autoscaled)
    {
        var profile = ContainerProfiles.For(project);
        var gpu = UsesGpu(project, options);
        var component = Component(profile.Role);
        yield return Service(project, profile, component, options);
        yield return Deployment(project, profile, component, gpu, autoscaled, options);
        if (profile.Role == ProjectRole.Gateway)
        {
            yield return new V1PodDisruptionBudget
            {
                ApiVersion = "policy/v1",
                Kind = "PodDisruptionBudget",
                Metadata = KubernetesNames.Metadata(project.Name, options.Namespace, project.Name, component),
                Spec = new V1PodDisruptionBudgetSpec
                {
                    MaxUnavailable = 1,
                    Selector = new V1LabelSelector { MatchLabels = KubernetesNames.Selector(project.Name) },
                },
            };
        }
    }

    /// <summary>Whether <paramref name="project"/>'s replicas ask for a GPU: workers do, unless <c>--no-gpu</c>.</summary>
    public static bool UsesGpu(LocalProjectResource project, PublishOptions options) =>
        options.Gpu && ContainerProfiles.For(project).Role == ProjectRole.Worker;

    /// <summary>The image of <paramref name="project"/>: <c>{registry}/benchplatform-{name}:{tag}</c>, <c>-cuda</c> for GPU replicas.</summary>
    public static string Image(LocalProjectResource project, PublishOptions options) =>
        $"{options.Registry}/{KubernetesNames.PartOf}-{project.Name}:{options.Tag}{(UsesGpu(project, options) ? "-cuda" : "")}";

    public static string Component(ProjectRole role) => role switch
    {
        ProjectRole.Gateway => "gateway",
        ProjectRole.Worker => "worker",
        ProjectRole.Sandbox => "sandbox",
        _ => "service",
    };

    /// <summary>Whether the project's replicas get <c>Storage__Root</c> on the shared volume (workers and the sandbox, as locally).</summary>
    public static bool UsesSharedStorage(LocalProjectResource project) =>
        ContainerProfiles.For(project).Role is ProjectRole.Worker or ProjectRole.Sandbox;

    private static V1Service Service(LocalProjectResource project, ContainerProfile profile, string component, PublishOptions options) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = KubernetesNames.Metadata(project.Name, options.Namespace, project.Name, component),
        Spec = new V1ServiceSpec
        {
            Type = profile.Role == ProjectRole.Gateway ? options.GatewayServiceType : "ClusterIP",
            Selector = KubernetesNames.Selector(project.Name),
            Ports =
            [
                new V1ServicePort
                {
                    Name = KubernetesNames.HttpPortName,
                    Port = ServicePort(project),
                    TargetPort = KubernetesNames.HttpPortName,
                    Protocol = "TCP",
                },
            ],
        },
    };

    /// <summary>The Service port: the endpoint the topology declares (the gateway's 8080), else the container port.</summary>
    public static int ServicePort(LocalProjectResource project) => project.HttpPort ?? KubernetesNames.ContainerPort;

    private static V1Deployment Deployment(
        LocalProjectResource project, ContainerProfile profile, string component, bool gpu, bool autoscaled, PublishOptions options)
    {
        var role = profile.Role;
        var container = new V1Container
        {
            Name = project.Name,
            Image = Image(project, options),
            Ports = [new V1ContainerPort { Name = KubernetesNames.HttpPortName, ContainerPort = KubernetesNames.ContainerPort, Protocol = "TCP" }],
            Env = Environment(project, profile, options),
            Resources = profile.Resources(gpu),
            StartupProbe = HttpProbe("/alive", periodSeconds: 2, failureThreshold: Math.Max(1, profile.StartupSeconds / 2)),
            ReadinessProbe = HttpProbe("/health", periodSeconds: 5, failureThreshold: 3),
            LivenessProbe = HttpProbe("/alive", periodSeconds: 10, failureThreshold: 3),
            SecurityContext = role == ProjectRole.Sandbox ? SandboxContainer() : BackingServiceManifests.RestrictedContainer(),
            VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }],
        };
        List<V1Volume> volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("256Mi") } }];
        if (UsesSharedStorage(project))
        {
            container.VolumeMounts.Add(new V1VolumeMount { Name = "shared", MountPath = SharedStoragePath });
            volumes.Add(new V1Volume
            {
                Name = "shared",
                PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = KubernetesNames.SharedStorageClaim },
            });
        }

        var pod = new V1PodSpec
        {
            AutomountServiceAccountToken = false,
            EnableServiceLinks = false,
            SecurityContext = role == ProjectRole.Sandbox ? SandboxPod() : BackingServiceManifests.NonRootPod(AppUid),
            TerminationGracePeriodSeconds = 30,
            Containers = [container],
            Volumes = volumes,
        };

        if (role == ProjectRole.Worker)
        {
            // The Service drops a terminating pod from its endpoints while preStop waits; then SIGTERM lets
            // Kestrel finish what is in flight (DOTNET_SHUTDOWNTIMEOUTSECONDS) before the pod is killed.
            container.Lifecycle = new V1Lifecycle { PreStop = new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = DrainSeconds } } };
            pod.TerminationGracePeriodSeconds = DrainSeconds + WorkerShutdownSeconds + 5;
        }

        if (gpu)
        {
            pod.NodeSelector = options.GpuNodeSelector.Count > 0 ? new Dictionary<string, string>(options.GpuNodeSelector, StringComparer.Ordinal) : null;
            pod.Tolerations = options.GpuTolerations.Count > 0 ? [.. options.GpuTolerations.Select(Toleration)] : null;
        }

        if (role == ProjectRole.Sandbox)
        {
            pod.RuntimeClassName = options.SandboxRuntimeClass;
        }

        if (role == ProjectRole.Gateway)
        {
            pod.TopologySpreadConstraints =
            [
                new V1TopologySpreadConstraint
                {
                    MaxSkew = 1,
                    TopologyKey = "kubernetes.io/hostname",
                    WhenUnsatisfiable = "ScheduleAnyway",
                    LabelSelector = new V1LabelSelector { MatchLabels = KubernetesNames.Selector(project.Name) },
                },
            ];
        }

        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = KubernetesNames.Metadata(project.Name, options.Namespace, project.Name, component),
            Spec = new V1DeploymentSpec
            {
                Replicas = Replicas(project, role, autoscaled, options),
                Selector = new V1LabelSelector { MatchLabels = KubernetesNames.Selector(project.Name) },
                Strategy = new V1DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 },
                },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = KubernetesNames.Labels(project.Name, component) },
                    Spec = pod,
                },
            },
        };
    }

    /// <summary>
    /// Replicas: none when an autoscaler owns the count (so re-applying does not reset it), the policy's minimum when
    /// nothing scales it, the gateway's <c>--gateway-replicas</c>, else the topology's replicas.
    /// </summary>
    private static int? Replicas(LocalProjectResource project, ProjectRole role, bool autoscaled, PublishOptions options) =>
        project.Autoscale is { } policy
            ? autoscaled ? null : policy.Min
            : role == ProjectRole.Gateway ? options.GatewayReplicas : project.Replicas;

    private static List<V1EnvVar> Environment(LocalProjectResource project, ContainerProfile profile, PublishOptions options)
    {
        List<V1EnvVar> env =
        [
            new() { Name = "ASPNETCORE_URLS", Value = $"http://+:{KubernetesNames.ContainerPort.ToString(CultureInfo.InvariantCulture)}" },
            new() { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
            new() { Name = "POD_NAMESPACE", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.namespace" } } },
            new() { Name = "OTEL_SERVICE_NAME", Value = project.Name },
            new() { Name = "OTEL_RESOURCE_ATTRIBUTES", Value = "service.instance.id=$(POD_NAME),k8s.pod.name=$(POD_NAME),k8s.namespace.name=$(POD_NAMESPACE)" },
        ];
        if (options.OtlpEndpoint is not null)
        {
            env.Add(new() { Name = "OTEL_EXPORTER_OTLP_ENDPOINT", Value = options.OtlpEndpoint });
        }

        env.Add(SecretPlan.FromSecret("Internal__Token", KubernetesNames.InternalTokenSecret, SecretPlan.TokenKey));
        if (UsesSharedStorage(project))
        {
            env.Add(new() { Name = "Storage__Root", Value = SharedStoragePath });
        }

        env.Add(new() { Name = "Logging__Console__FormatterName", Value = "simple" });
        env.Add(new() { Name = "Logging__Console__FormatterOptions__SingleLine", Value = "true" });
        env.Add(new() { Name = "DOTNET_NOLOGO", Value = "1" });

        foreach (var reference in project.References)
        {
            switch (reference)
            {
                case IConnectionSource source:
                    env.Add(SecretPlan.FromSecret($"ConnectionStrings__{source.ConnectionName}", SecretPlan.ConnectionSecret(reference.Name), SecretPlan.ConnectionStringKey));
                    break;
                case LocalProjectResource target:
                    // One destination, the Service: kube-proxy spreads requests over the ready replicas.
                    env.Add(new()
                    {
                        Name = $"services__{target.Name}__http__0",
                        Value = $"http://{target.Name}:{ServicePort(target).ToString(CultureInfo.InvariantCulture)}",
                    });
                    break;
            }
        }

        switch (profile.Role)
        {
            case ProjectRole.Gateway:
                env.Add(new() { Name = "Gateway__ApiKeys__0__Name", Value = SecretPlan.AdminKey });
                env.Add(new() { Name = "Gateway__ApiKeys__0__Role", Value = "admin" });
                env.Add(SecretPlan.FromSecret("Gateway__ApiKeys__0__Key", KubernetesNames.ApiKeysSecret, SecretPlan.AdminKey));
                env.Add(new() { Name = "Gateway__ApiKeys__1__Name", Value = SecretPlan.UserKey });
                env.Add(new() { Name = "Gateway__ApiKeys__1__Role", Value = "user" });
                env.Add(SecretPlan.FromSecret("Gateway__ApiKeys__1__Key", KubernetesNames.ApiKeysSecret, SecretPlan.UserKey));
                break;
            case ProjectRole.Worker:
                env.Add(new() { Name = "Inference__IntraOpThreads", Value = Cores(profile.CpuLimit) });
                env.Add(new() { Name = "DOTNET_SHUTDOWNTIMEOUTSECONDS", Value = WorkerShutdownSeconds.ToString(CultureInfo.InvariantCulture) });
                break;
            case ProjectRole.Sandbox:
                // Per-jail cgroups need a writable cgroup v1 hierarchy, which a pod does not have; the pod's own
                // limits bound the runner as a whole, and /health lists the features that are active.
                env.Add(new() { Name = "Sandbox__AllowDegraded", Value = "true" });
                break;
        }

        foreach (var (name, value) in project.Environment.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            env.RemoveAll(e => e.Name == name);
            env.Add(new() { Name = name, Value = value });
        }

        return env;
    }

    private static string Cores(string cpuLimit) =>
        Math.Max(1, (int)Math.Floor(new ResourceQuantity(cpuLimit).ToDecimal())).ToString(CultureInfo.InvariantCulture);

    private static V1Probe HttpProbe(string path, int periodSeconds, int failureThreshold) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = KubernetesNames.HttpPortName },
        PeriodSeconds = periodSeconds,
        FailureThreshold = failureThreshold,
        TimeoutSeconds = 3,
    };

    private static V1Toleration Toleration(string text)
    {
        var (key, value, effect) = KubernetesSyntax.ParseToleration(text)
            ?? throw new ArgumentException($"'{text}' is not a toleration (KEY[=VALUE][:EFFECT]).", nameof(text));
        return new V1Toleration { Key = key, OperatorProperty = value is null ? "Exists" : "Equal", Value = value, Effect = effect };
    }

    /// <summary>
    /// The sandbox runs as root in its container because the jail launcher maps each jail to its own unprivileged
    /// uid and enters new namespaces; it keeps only the capabilities that needs (no privilege escalation can be
    /// forbidden alongside SYS_ADMIN), a read-only root and the runtime's seccomp profile; the RuntimeClass
    /// (gVisor by default) is the boundary around it.
    /// </summary>
    private static V1SecurityContext SandboxContainer() => new()
    {
        RunAsUser = 0,
        RunAsNonRoot = false,
        ReadOnlyRootFilesystem = true,
        Capabilities = new V1Capabilities { Drop = ["ALL"], Add = ["SYS_ADMIN", "SETUID", "SETGID", "SETPCAP", "KILL"] },
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };

    private static V1PodSecurityContext SandboxPod() => new()
    {
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };
}
