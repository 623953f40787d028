using System.Globalization;
using BenchPlatform.AppHost.Hosting.Orchestration;
using BenchPlatform.AppHost.Hosting.Resources;
using k8s.Models;
using Npgsql;

namespace BenchPlatform.AppHost.Publishing;

/// <summary>
/// Who may talk to whom, from the topology's references: nothing reaches a pod unless a policy lets it; anyone
/// reaches the gateway; a project is reached only by the projects that reference it; Redis and PostgreSQL only by
/// the projects that reference them; the sandbox reaches nothing but DNS and the servers it references.
/// </summary>
internal static class NetworkPolicyManifests
{
    public const string DefaultDenyName = "default-deny-ingress";

    public static V1NetworkPolicy DefaultDenyIngress(PublishOptions options) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = new V1ObjectMeta
        {
            Name = DefaultDenyName,
            NamespaceProperty = options.Namespace,
            Labels = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [KubernetesNames.PartOfLabel] = KubernetesNames.PartOf,
                [KubernetesNames.ManagedByLabel] = KubernetesNames.ManagedBy,
            },
        },
        Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress"] },
    };

    /// <summary>Ingress to a project: from anywhere for the gateway, else only from the projects that reference it.</summary>
    public static V1NetworkPolicy ProjectIngress(LocalProjectResource project, Topology topology, PublishOptions options)
    {
        var role = ContainerProfiles.For(project).Role;
        var port = new V1NetworkPolicyPort { Port = KubernetesNames.HttpPortName, Protocol = "TCP" };
        var consumers = topology.ConsumersOf(project).Select(p => p.Name).ToList();
        List<V1NetworkPolicyIngressRule> rules = role == ProjectRole.Gateway
            ? [new V1NetworkPolicyIngressRule { Ports = [port] }]
            : consumers.Count > 0 ? [new V1NetworkPolicyIngressRule { FromProperty = [PodsNamed(consumers)], Ports = [port] }] : [];
        return Policy($"{project.Name}-ingress", project.Name, ProjectManifests.Component(role), ["Ingress"], rules, null, options);
    }

    /// <summary>Ingress to an in-cluster server: only from the projects that reference it or one of its databases.</summary>
    public static V1NetworkPolicy ServerIngress(Resource server, string component, int port, Topology topology, PublishOptions options)
    {
        var consumers = topology.Projects.Where(p => p.References.Any(r => ServerOf(r) == server)).Select(p => p.Name).ToList();
        List<V1NetworkPolicyIngressRule> rules = consumers.Count > 0
            ? [new V1NetworkPolicyIngressRule { FromProperty = [PodsNamed(consumers)], Ports = [new V1NetworkPolicyPort { Port = port, Protocol = "TCP" }] }]
            : [];
        return Policy($"{server.Name}-ingress", server.Name, component, ["Ingress"], rules, null, options);
    }

    /// <summary>
    /// The sandbox's egress: DNS, and the servers it references (their pods in the cluster, their port anywhere
    /// when external); nothing else, so a block that escaped its jail still cannot reach the network.
    /// </summary>
    public static V1NetworkPolicy SandboxEgress(LocalProjectResource project, PublishOptions options)
    {
        List<V1NetworkPolicyEgressRule> rules =
        [
            new V1NetworkPolicyEgressRule
            {
                To =
                [
                    new V1NetworkPolicyPeer
                    {
                        NamespaceSelector = new V1LabelSelector
                        {
                            MatchLabels = new Dictionary<string, string>(StringComparer.Ordinal) { ["kubernetes.io/metadata.name"] = "kube-system" },
                        },
                        PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(StringComparer.Ordinal) { ["k8s-app"] = "kube-dns" } },
                    },
                ],
                Ports = [new V1NetworkPolicyPort { Port = 53, Protocol = "UDP" }, new V1NetworkPolicyPort { Port = 53, Protocol = "TCP" }],
            },
        ];

        foreach (var reference in project.References)
        {
            if (ServerOf(reference) is not { } server)
            {
                continue;
            }

            if (options.External.TryGetValue(reference.Name, out var connection))
            {
                rules.Add(new V1NetworkPolicyEgressRule
                {
                    To = [new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = "0.0.0.0/0" } }],
                    Ports = [new V1NetworkPolicyPort { Port = ExternalPort(reference, connection), Protocol = "TCP" }],
                });
            }
            else
            {
                rules.Add(new V1NetworkPolicyEgressRule
                {
                    To = [PodsNamed([server.Name])],
                    Ports = [new V1NetworkPolicyPort { Port = server is RedisResource ? BackingServiceManifests.RedisPort : BackingServiceManifests.PostgresPort, Protocol = "TCP" }],
                });
            }
        }

        return Policy($"{project.Name}-egress", project.Name, "sandbox", ["Egress"], null, rules, options);
    }

    /// <summary>The server behind a reference: the Redis itself, or the PostgreSQL server of a database.</summary>
    public static Resource? ServerOf(Resource reference) => reference switch
    {
        RedisResource redis => redis,
        PostgresDatabaseResource database => database.Server,
        _ => null,
    };

    /// <summary>The port of an external connection string (Redis <c>host:port,…</c> or Npgsql <c>Port=</c>), else the server's default.</summary>
    public static int ExternalPort(Resource reference, string connection)
    {
        if (reference is RedisResource)
        {
            var endpoint = connection.Split(',')[0];
            var colon = endpoint.LastIndexOf(':');
            return colon > 0 && int.TryParse(endpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                ? port : BackingServiceManifests.RedisPort;
        }

        try
        {
            return new NpgsqlConnectionStringBuilder(connection).Port;
        }
        catch (ArgumentException)
        {
            return BackingServiceManifests.PostgresPort;
        }
    }

    private static V1NetworkPolicyPeer PodsNamed(IReadOnlyList<string> names) => new()
    {
        PodSelector = new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string>(StringComparer.Ordinal) { [KubernetesNames.PartOfLabel] = KubernetesNames.PartOf },
            MatchExpressions = [new V1LabelSelectorRequirement { Key = KubernetesNames.NameLabel, OperatorProperty = "In", Values = [.. names] }],
        },
    };

    private static V1NetworkPolicy Policy(
        string name, string resourceName, string component, List<string> types,
        List<V1NetworkPolicyIngressRule>? ingress, List<V1NetworkPolicyEgressRule>? egress, PublishOptions options) => new()
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "NetworkPolicy",
            Metadata = KubernetesNames.Metadata(name, options.Namespace, resourceName, component),
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = new V1LabelSelector { MatchLabels = KubernetesNames.Selector(resourceName) },
                PolicyTypes = types,
                Ingress = ingress,
                Egress = egress,
            },
        };
}
