using System.Text;
using System.Text.RegularExpressions;
using BenchPlatform.AppHost.Publishing;
using BenchPlatform.AppHost.Publishing.Keda;
using k8s;
using k8s.Models;

namespace BenchPlatform.AppHost.Tests.Publishing;

/// <summary>
/// An offline stand-in for the API server's validation of the fields we write (kubectl here cannot validate
/// without a cluster): names, labels and selectors, references between objects (Secrets, claims, ports,
/// scale targets), probes and resources on every container, and the securityContext rules the API enforces.
/// Returns every problem found, each naming the object.
/// </summary>
internal static partial class ManifestRules
{

    public static IReadOnlyList<string> Check(Manifests set)
    {
        var problems = new List<string>();
        var secrets = set.All<V1Secret>().ToDictionary(s => s.Metadata.Name, StringComparer.Ordinal);
        var claims = set.All<V1PersistentVolumeClaim>().Select(c => c.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var configMaps = set.All<V1ConfigMap>().ToDictionary(c => c.Metadata.Name, StringComparer.Ordinal);
        var templates = set.PodTemplates.ToList();
        var ns = Assert.Single(set.All<V1Namespace>()).Metadata.Name;

        foreach (var item in set.Objects)
        {
            var id = $"{item.Kind}/{item.Metadata?.Name}";
            if (string.IsNullOrEmpty(item.ApiVersion) || string.IsNullOrEmpty(item.Kind) || item.Metadata is null)
            {
                problems.Add($"{id}: apiVersion, kind and metadata are required");
                continue;
            }

            var nameIsLabel = item is V1Namespace or V1Service;
            if (!(nameIsLabel ? IsDnsLabel(item.Metadata.Name) : IsDnsSubdomain(item.Metadata.Name)))
            {
                problems.Add($"{id}: name is not a DNS {(nameIsLabel ? "label" : "subdomain")}");
            }

            if (item is not V1Namespace && item.Metadata.NamespaceProperty != ns)
            {
                problems.Add($"{id}: namespace '{item.Metadata.NamespaceProperty}' is not '{ns}'");
            }

            CheckLabels(id, item.Metadata.Labels, problems);
            var labels = item.Metadata.Labels ?? new Dictionary<string, string>();
            if (!labels.TryGetValue(KubernetesNames.PartOfLabel, out var partOf) || partOf != KubernetesNames.PartOf
                || !labels.TryGetValue(KubernetesNames.ManagedByLabel, out var managedBy) || managedBy != KubernetesNames.ManagedBy)
            {
                problems.Add($"{id}: lacks the part-of and managed-by labels");
            }
        }

        foreach (var (owner, template) in templates)
        {
            CheckPod(owner, template, set, secrets, claims, configMaps, problems);
        }

        foreach (var deployment in set.All<V1Deployment>())
        {
            CheckSelector($"Deployment/{deployment.Metadata.Name}", deployment.Spec.Selector, deployment.Spec.Template, problems);
        }

        foreach (var statefulSet in set.All<V1StatefulSet>())
        {
            CheckSelector($"StatefulSet/{statefulSet.Metadata.Name}", statefulSet.Spec.Selector, statefulSet.Spec.Template, problems);
            if (set.All<V1Service>().All(s => s.Metadata.Name != statefulSet.Spec.ServiceName))
            {
                problems.Add($"StatefulSet/{statefulSet.Metadata.Name}: serviceName '{statefulSet.Spec.ServiceName}' is no Service");
            }
        }

        foreach (var service in set.All<V1Service>())
        {
            var id = $"Service/{service.Metadata.Name}";
            var selected = templates.Where(t => Matches(service.Spec.Selector, t.Template.Metadata.Labels)).ToList();
            if (selected.Count != 1)
            {
                problems.Add($"{id}: selector matches {selected.Count} pod templates, not 1");
                continue;
            }

            var ports = selected[0].Template.Spec.Containers.SelectMany(c => c.Ports ?? []).ToList();
            foreach (var port in service.Spec.Ports)
            {
                var target = port.TargetPort?.Value ?? port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!ports.Any(p => p.Name == target || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == target))
                {
                    problems.Add($"{id}: targetPort '{target}' is not a port of {selected[0].Owner}'s containers");
                }
            }
        }

        foreach (var hpa in set.All<V2HorizontalPodAutoscaler>())
        {
            var id = $"HorizontalPodAutoscaler/{hpa.Metadata.Name}";
            if (hpa.Spec.ScaleTargetRef.Kind != "Deployment" || set.All<V1Deployment>().All(d => d.Metadata.Name != hpa.Spec.ScaleTargetRef.Name))
            {
                problems.Add($"{id}: scaleTargetRef is no Deployment of the set");
            }

            if (hpa.Spec.MinReplicas is not >= 1 || hpa.Spec.MinReplicas > hpa.Spec.MaxReplicas)
            {
                problems.Add($"{id}: needs 1 <= minReplicas <= maxReplicas");
            }

            if (hpa.Spec.Metrics is not { Count: > 0 })
            {
                problems.Add($"{id}: has no metric");
            }
        }

        foreach (var scaled in set.All<ScaledObject>())
        {
            if (set.All<V1Deployment>().All(d => d.Metadata.Name != scaled.Spec.ScaleTargetRef.Name))
            {
                problems.Add($"ScaledObject/{scaled.Metadata.Name}: scaleTargetRef is no Deployment of the set");
            }
        }

        foreach (var pdb in set.All<V1PodDisruptionBudget>())
        {
            if (!templates.Any(t => Matches(pdb.Spec.Selector.MatchLabels, t.Template.Metadata.Labels)))
            {
                problems.Add($"PodDisruptionBudget/{pdb.Metadata.Name}: selector matches no pod");
            }
        }

        foreach (var policy in set.All<V1NetworkPolicy>())
        {
            var id = $"NetworkPolicy/{policy.Metadata.Name}";
            if (policy.Spec.PodSelector.MatchLabels is { Count: > 0 } && !templates.Any(t => Matches(policy.Spec.PodSelector, t.Template.Metadata.Labels)))
            {
                problems.Add($"{id}: podSelector matches no pod");
            }

            var peers = (policy.Spec.Ingress ?? []).SelectMany(r => r.FromProperty ?? [])
                .Concat((policy.Spec.Egress ?? []).SelectMany(r => r.To ?? []))
                .Where(p => p.PodSelector is not null && p.NamespaceSelector is null);
            foreach (var peer in peers)
            {
                if (!templates.Any(t => Matches(peer.PodSelector, t.Template.Metadata.Labels)))
                {
                    problems.Add($"{id}: a peer's podSelector matches no pod of the set");
                }
            }
        }

        foreach (var secret in secrets.Values)
        {
            if (secret.Type != "Opaque" || secret.Data is not { Count: > 0 } || secret.StringData is not null)
            {
                problems.Add($"Secret/{secret.Metadata.Name}: must be Opaque with base64 data only");
            }
        }

        CheckNoSecretInPlainText(set, secrets.Values, configMaps.Values, problems);
        return problems;
    }

    /// <summary>Every Secret value, decoded.</summary>
    public static IEnumerable<string> SecretValues(IEnumerable<V1Secret> secrets) =>
        secrets.SelectMany(s => s.Data.Values).Select(Encoding.UTF8.GetString);

    private static void CheckNoSecretInPlainText(Manifests set, IEnumerable<V1Secret> secrets, IEnumerable<V1ConfigMap> configMaps, List<string> problems)
    {
        // The values of generated credentials (and the passwords inside connection strings) may appear nowhere but in a Secret.
        var values = SecretValues(secrets).SelectMany(v => new[] { v }.Concat(PasswordIn(v))).Where(v => v.Length >= 8).Distinct().ToList();
        foreach (var item in set.Objects.Where(o => o is not V1Secret))
        {
            var yaml = KubernetesYaml.Serialize(item);
            foreach (var value in values)
            {
                if (yaml.Contains(value, StringComparison.Ordinal))
                {
                    problems.Add($"{item.Kind}/{item.Metadata.Name}: holds a Secret's value in plain text");
                }
            }
        }

        foreach (var (owner, template) in set.PodTemplates)
        {
            foreach (var env in template.Spec.Containers.SelectMany(c => c.Env ?? []))
            {
                if (IsCredentialName(env.Name) && env.ValueFrom?.SecretKeyRef is null)
                {
                    problems.Add($"{owner}: {env.Name} looks like a credential but is not read from a Secret");
                }
            }
        }

        foreach (var configMap in configMaps)
        {
            if (configMap.Data.Values.Any(v => PasswordPattern().IsMatch(v)))
            {
                problems.Add($"ConfigMap/{configMap.Metadata.Name}: holds a password");
            }
        }
    }

    private static bool IsCredentialName(string name) =>
        name.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith("__Key", StringComparison.OrdinalIgnoreCase)
        || name.Contains("password", StringComparison.OrdinalIgnoreCase)
        || name.Contains("token", StringComparison.OrdinalIgnoreCase)
        || name.Contains("secret", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<string> PasswordIn(string connectionString) =>
        PasswordPattern().Matches(connectionString).Select(m => m.Groups[1].Value);

    private static void CheckPod(
        string owner, V1PodTemplateSpec template, Manifests set, Dictionary<string, V1Secret> secrets, HashSet<string> claims,
        Dictionary<string, V1ConfigMap> configMaps, List<string> problems)
    {
        var pod = template.Spec;
        var volumes = (pod.Volumes ?? []).ToDictionary(v => v.Name, StringComparer.Ordinal);
        var templateClaims = set.All<V1StatefulSet>().Where(s => s.Metadata.Name == owner)
            .SelectMany(s => s.Spec.VolumeClaimTemplates ?? []).Select(c => c.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        CheckLabels($"{owner} pod template", template.Metadata.Labels, problems);

        foreach (var volume in volumes.Values)
        {
            if (volume.PersistentVolumeClaim is { } claim && !claims.Contains(claim.ClaimName))
            {
                problems.Add($"{owner}: volume '{volume.Name}' claims '{claim.ClaimName}', which is no PersistentVolumeClaim of the set");
            }

            if (volume.ConfigMap is { } map && !configMaps.ContainsKey(map.Name))
            {
                problems.Add($"{owner}: volume '{volume.Name}' reads ConfigMap '{map.Name}', which is not in the set");
            }
        }

        if (pod.AutomountServiceAccountToken != false)
        {
            problems.Add($"{owner}: mounts a service account token it does not need");
        }

        foreach (var container in pod.Containers)
        {
            var id = $"{owner}/{container.Name}";
            if (string.IsNullOrEmpty(container.Image))
            {
                problems.Add($"{id}: no image");
            }

            var ports = container.Ports ?? [];
            foreach (var port in ports)
            {
                if (port.Name is { } portName && !PortNamePattern().IsMatch(portName))
                {
                    problems.Add($"{id}: port name '{portName}' is not an IANA service name (at most 15, lower-case, letters and '-')");
                }
            }

            CheckResources(id, container.Resources, problems);
            foreach (var (kind, probe) in new[] { ("startup", container.StartupProbe), ("readiness", container.ReadinessProbe), ("liveness", container.LivenessProbe) })
            {
                if (probe is null)
                {
                    problems.Add($"{id}: no {kind} probe");
                    continue;
                }

                var probePort = probe.HttpGet?.Port?.Value ?? probe.TcpSocket?.Port?.Value;
                if (probePort is not null && !ports.Any(p => p.Name == probePort || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == probePort))
                {
                    problems.Add($"{id}: {kind} probe port '{probePort}' is not a container port");
                }
            }

            foreach (var mount in container.VolumeMounts ?? [])
            {
                if (!volumes.ContainsKey(mount.Name) && !templateClaims.Contains(mount.Name))
                {
                    problems.Add($"{id}: mounts '{mount.Name}', which is no volume of the pod");
                }
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var env in container.Env ?? [])
            {
                if (!names.Add(env.Name))
                {
                    problems.Add($"{id}: {env.Name} is set twice");
                }

                if (env.ValueFrom?.SecretKeyRef is { } reference
                    && (!secrets.TryGetValue(reference.Name, out var secret) || !secret.Data.ContainsKey(reference.Key)))
                {
                    problems.Add($"{id}: {env.Name} reads {reference.Name}/{reference.Key}, which no Secret of the set holds");
                }
            }

            var security = container.SecurityContext;
            if (security?.ReadOnlyRootFilesystem != true || security.Capabilities?.Drop?.Contains("ALL") != true)
            {
                problems.Add($"{id}: needs a read-only root filesystem and all capabilities dropped");
            }

            // The API server rejects this combination.
            if (security?.AllowPrivilegeEscalation == false && security.Capabilities?.Add?.Contains("SYS_ADMIN") == true)
            {
                problems.Add($"{id}: allowPrivilegeEscalation false cannot go with CAP_SYS_ADMIN");
            }

            var runsAsRoot = security?.RunAsUser == 0;
            if (!runsAsRoot && pod.SecurityContext?.RunAsNonRoot != true)
            {
                problems.Add($"{id}: runs without runAsNonRoot");
            }
        }
    }

    private static void CheckResources(string id, V1ResourceRequirements? resources, List<string> problems)
    {
        foreach (var name in new[] { "cpu", "memory" })
        {
            if (resources?.Requests?.TryGetValue(name, out var request) != true || resources.Limits?.TryGetValue(name, out var limit) != true)
            {
                problems.Add($"{id}: needs a {name} request and limit");
                continue;
            }

            if (request!.ToDecimal() > limit!.ToDecimal())
            {
                problems.Add($"{id}: {name} request {request} is above its limit {limit}");
            }
        }

        foreach (var (name, quantity) in resources?.Limits ?? new Dictionary<string, ResourceQuantity>())
        {
            if (name.Contains('/', StringComparison.Ordinal) && (quantity.ToDecimal() != decimal.Truncate(quantity.ToDecimal())
                || resources?.Requests?.TryGetValue(name, out var request) == true && request != quantity))
            {
                problems.Add($"{id}: extended resource {name} must be whole and requested as much as limited");
            }
        }
    }

    private static void CheckSelector(string id, V1LabelSelector selector, V1PodTemplateSpec template, List<string> problems)
    {
        if (selector.MatchLabels is not { Count: > 0 } || !Matches(selector, template.Metadata.Labels))
        {
            problems.Add($"{id}: selector does not match its pod template's labels");
        }
    }

    private static void CheckLabels(string id, IDictionary<string, string>? labels, List<string> problems)
    {
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            var name = key.Contains('/', StringComparison.Ordinal) ? key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..] : key;
            if (name.Length is 0 or > 63 || !LabelValuePattern().IsMatch(name) || value.Length > 63 || (value.Length > 0 && !LabelValuePattern().IsMatch(value)))
            {
                problems.Add($"{id}: label {key}={value} is not valid");
            }
        }
    }

    public static bool Matches(V1LabelSelector selector, IDictionary<string, string> labels) =>
        Matches(selector.MatchLabels, labels)
        && (selector.MatchExpressions ?? []).All(e => e.OperatorProperty == "In" && labels.TryGetValue(e.Key, out var value) && e.Values.Contains(value));

    public static bool Matches(IDictionary<string, string>? selector, IDictionary<string, string> labels) =>
        (selector ?? new Dictionary<string, string>()).All(p => labels.TryGetValue(p.Key, out var value) && value == p.Value);

    private static bool IsDnsLabel(string value) => value.Length <= 63 && DnsLabelPattern().IsMatch(value);

    private static bool IsDnsSubdomain(string value) => value.Length <= 253 && value.Split('.').All(IsDnsLabel);

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelValuePattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabelPattern();

    [GeneratedRegex("^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")]
    private static partial Regex PortNamePattern();

    [GeneratedRegex("[Pp]assword=([^;,]+)")]
    private static partial Regex PasswordPattern();
}
