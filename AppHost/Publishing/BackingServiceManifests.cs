using System.Globalization;
using System.Text;
using BenchPlatform.AppHost.Hosting.Resources;
using BenchPlatform.AppHost.Hosting.Servers;
using k8s;
using k8s.Models;

namespace BenchPlatform.AppHost.Publishing;

/// <summary>
/// Redis and PostgreSQL inside the cluster: a one-replica StatefulSet with a PersistentVolumeClaim, a headless
/// Service named after the resource (the host in the connection strings), the password from its Secret.
/// </summary>
internal static class BackingServiceManifests
{
    public const int RedisPort = 6379;
    public const int PostgresPort = 5432;
    public const string RedisImage = "redis:7.4-alpine";
    public const string PostgresImage = "postgres:17-alpine";

    // The images' own users: redis (999) in redis:alpine, postgres (70) in postgres:alpine.
    private const long RedisUid = 999;
    private const long PostgresUid = 70;

    public static IEnumerable<IKubernetesObject> Redis(RedisResource redis, PublishOptions options)
    {
        var container = new V1Container
        {
            Name = "redis",
            Image = RedisImage,
            Args = ["--requirepass", "$(REDIS_PASSWORD)", "--appendonly", "yes", "--dir", "/data", "--protected-mode", "no"],
            Env = [SecretPlan.FromSecret("REDIS_PASSWORD", SecretPlan.PasswordSecret(redis.Name), SecretPlan.PasswordKey)],
            Ports = [new V1ContainerPort { Name = "redis", ContainerPort = RedisPort }],
            Resources = Resources("100m", "256Mi", "1", "1Gi"),
            StartupProbe = TcpProbe("redis", periodSeconds: 2, failureThreshold: 30),
            ReadinessProbe = TcpProbe("redis", periodSeconds: 5, failureThreshold: 3),
            LivenessProbe = TcpProbe("redis", periodSeconds: 10, failureThreshold: 3),
            SecurityContext = RestrictedContainer(),
            VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/data" }],
        };
        yield return HeadlessService(redis.Name, "cache", "redis", RedisPort, options);
        yield return StatefulSet(redis.Name, "cache", container, RedisUid, [], "1Gi", options);
    }

    public static IEnumerable<IKubernetesObject> Postgres(PostgresServerResource server, PublishOptions options)
    {
        var databases = server.Databases.Select(d => d.DatabaseName).Distinct(StringComparer.Ordinal).ToList();
        var container = new V1Container
        {
            Name = "postgres",
            Image = PostgresImage,
            Env =
            [
                new V1EnvVar { Name = "POSTGRES_USER", Value = LocalPostgres.User },
                SecretPlan.FromSecret("POSTGRES_PASSWORD", SecretPlan.PasswordSecret(server.Name), SecretPlan.PasswordKey),
                new V1EnvVar { Name = "POSTGRES_DB", Value = databases.FirstOrDefault() ?? "postgres" },
                new V1EnvVar { Name = "PGDATA", Value = "/var/lib/postgresql/data/pgdata" },
            ],
            Ports = [new V1ContainerPort { Name = "postgres", ContainerPort = PostgresPort }],
            Resources = Resources("250m", "512Mi", "2", "2Gi"),
            StartupProbe = ExecProbe(periodSeconds: 2, failureThreshold: 60),
            ReadinessProbe = ExecProbe(periodSeconds: 5, failureThreshold: 3),
            LivenessProbe = TcpProbe("postgres", periodSeconds: 10, failureThreshold: 3),
            SecurityContext = RestrictedContainer(),
            VolumeMounts =
            [
                new V1VolumeMount { Name = "data", MountPath = "/var/lib/postgresql/data" },
                new V1VolumeMount { Name = "run", MountPath = "/var/run/postgresql" },
                new V1VolumeMount { Name = "tmp", MountPath = "/tmp" },
            ],
        };
        List<V1Volume> volumes =
        [
            new V1Volume { Name = "run", EmptyDir = new V1EmptyDirVolumeSource() },
            new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() },
        ];

        yield return HeadlessService(server.Name, "database", "postgres", PostgresPort, options);
        if (databases.Count > 1)
        {
            // The image creates POSTGRES_DB; the other databases are created by an init script (no secret in it).
            var script = new StringBuilder();
            foreach (var database in databases.Skip(1))
            {
                script.Append(CultureInfo.InvariantCulture, $"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\";\n");
            }

            var configMap = $"{server.Name}-init";
            yield return new V1ConfigMap
            {
                ApiVersion = "v1",
                Kind = "ConfigMap",
                Metadata = KubernetesNames.Metadata(configMap, options.Namespace, server.Name, "database"),
                Data = new Dictionary<string, string>(StringComparer.Ordinal) { ["10-databases.sql"] = script.ToString() },
            };
            container.VolumeMounts.Add(new V1VolumeMount { Name = "init", MountPath = "/docker-entrypoint-initdb.d", ReadOnlyProperty = true });
            volumes.Add(new V1Volume { Name = "init", ConfigMap = new V1ConfigMapVolumeSource { Name = configMap } });
        }

        yield return StatefulSet(server.Name, "database", container, PostgresUid, volumes, "10Gi", options);
    }

    /// <summary>A container that runs as its image's non-root user with nothing it does not need.</summary>
    public static V1SecurityContext RestrictedContainer() => new()
    {
        AllowPrivilegeEscalation = false,
        ReadOnlyRootFilesystem = true,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
    };

    /// <summary>Pod-level settings of a non-root pod: its uid and group, and the runtime's default seccomp profile.</summary>
    public static V1PodSecurityContext NonRootPod(long uid) => new()
    {
        RunAsNonRoot = true,
        RunAsUser = uid,
        RunAsGroup = uid,
        FsGroup = uid,
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };

    public static V1ResourceRequirements Resources(string cpuRequest, string memoryRequest, string cpuLimit, string memoryLimit) => new()
    {
        Requests = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal) { ["cpu"] = new(cpuRequest), ["memory"] = new(memoryRequest) },
        Limits = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal) { ["cpu"] = new(cpuLimit), ["memory"] = new(memoryLimit) },
    };

    private static V1Probe TcpProbe(string port, int periodSeconds, int failureThreshold) => new()
    {
        TcpSocket = new V1TCPSocketAction { Port = port },
        PeriodSeconds = periodSeconds,
        FailureThreshold = failureThreshold,
        TimeoutSeconds = 2,
    };

    private static V1Probe ExecProbe(int periodSeconds, int failureThreshold) => new()
    {
        Exec = new V1ExecAction { Command = ["pg_isready", "-h", "127.0.0.1", "-U", LocalPostgres.User] },
        PeriodSeconds = periodSeconds,
        FailureThreshold = failureThreshold,
        TimeoutSeconds = 3,
    };

    private static V1Service HeadlessService(string name, string component, string portName, int port, PublishOptions options) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = KubernetesNames.Metadata(name, options.Namespace, name, component),
        Spec = new V1ServiceSpec
        {
            ClusterIP = "None",
            Selector = KubernetesNames.Selector(name),
            Ports = [new V1ServicePort { Name = portName, Port = port, TargetPort = portName }],
        },
    };

    private static V1StatefulSet StatefulSet(
        string name, string component, V1Container container, long uid, List<V1Volume> volumes, string size, PublishOptions options) => new()
        {
            ApiVersion = "apps/v1",
            Kind = "StatefulSet",
            Metadata = KubernetesNames.Metadata(name, options.Namespace, name, component),
            Spec = new V1StatefulSetSpec
            {
                ServiceName = name,
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = KubernetesNames.Selector(name) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = KubernetesNames.Labels(name, component) },
                    Spec = new V1PodSpec
                    {
                        AutomountServiceAccountToken = false,
                        EnableServiceLinks = false,
                        SecurityContext = NonRootPod(uid),
                        TerminationGracePeriodSeconds = 30,
                        Containers = [container],
                        Volumes = volumes.Count > 0 ? volumes : null,
                    },
                },
                VolumeClaimTemplates =
            [
                new V1PersistentVolumeClaim
                {
                    Metadata = new V1ObjectMeta { Name = "data", Labels = KubernetesNames.Labels(name, component) },
                    Spec = new V1PersistentVolumeClaimSpec
                    {
                        AccessModes = ["ReadWriteOnce"],
                        StorageClassName = options.StorageClass,
                        Resources = new V1VolumeResourceRequirements
                        {
                            Requests = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal) { ["storage"] = new(size) },
                        },
                    },
                },
            ],
            },
        };
}
