using System.Globalization;
using System.Text.RegularExpressions;

namespace BenchPlatform.AppHost.Publishing;

/// <summary>
/// Parses the arguments after <c>publish</c> into <see cref="PublishOptions"/>, collecting every mistake
/// (not just the first) with a message that says what to change.
/// </summary>
internal static partial class PublishArguments
{
    public const string Usage = """
        Usage: dotnet run --project AppHost -- publish --output DIR [options]

        Writes Kubernetes manifests for the topology in AppHost/Program.cs.

          -o, --output DIR                 folder to write the manifests to (required)
          --namespace NAME                 namespace of every object (default: benchplatform)
          --registry REGISTRY              image prefix, images are REGISTRY/benchplatform-NAME:TAG (default: localhost:5000)
          --tag TAG                        image tag (default: latest); GPU images get TAG-cuda
          --autoscaler hpa|keda|none       what scales the autoscaled projects (default: hpa)
          --no-gpu                         no nvidia.com/gpu request, CPU image for every project
          --gpu-node-selector KEY=VALUE    node label GPU pods must match (repeatable)
          --gpu-toleration KEY[=VALUE][:EFFECT]|none
                                           taint GPU pods tolerate (repeatable; default: nvidia.com/gpu:NoSchedule)
          --sandbox-runtime-class NAME|none
                                           RuntimeClass of the sandbox pod (default: gvisor)
          --external NAME=CONNECTION       resource NAME (cache, registry, ...) lives outside the cluster (repeatable)
          --storage-class NAME             StorageClass of the PostgreSQL/Redis volumes (default: the cluster's)
          --shared-storage-class NAME      ReadWriteMany StorageClass of the shared blob volume (default: the cluster's)
          --gateway-service-type TYPE      LoadBalancer, NodePort or ClusterIP (default: LoadBalancer)
          --gateway-replicas N             gateway replicas, 1 to 100 (default: 2)
          --otlp-endpoint URL|none         OTLP collector the services export to
                                           (default: http://otel-collector.monitoring.svc.cluster.local:4317)
          --prometheus-url URL             Prometheus the KEDA trigger queries
                                           (default: http://prometheus-server.monitoring.svc.cluster.local)
          -h, --help                       print this text
        """;

    private static readonly string[] ServiceTypes = ["LoadBalancer", "NodePort", "ClusterIP"];
    private static readonly string[] TaintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    /// <summary>Parses <paramref name="args"/> (without the leading <c>publish</c>).</summary>
    public static PublishParseResult Parse(IReadOnlyList<string> args)
    {
        var errors = new List<string>();
        var defaults = new PublishOptions { OutputFolder = "" };
        string? output = null;
        var ns = defaults.Namespace;
        var registry = defaults.Registry;
        var tag = defaults.Tag;
        var autoscaler = defaults.Autoscaler;
        var gpu = defaults.Gpu;
        var nodeSelector = new Dictionary<string, string>(StringComparer.Ordinal);
        List<string>? tolerations = null;
        var runtimeClass = defaults.SandboxRuntimeClass;
        var external = new Dictionary<string, string>(StringComparer.Ordinal);
        string? storageClass = null;
        string? sharedStorageClass = null;
        var serviceType = defaults.GatewayServiceType;
        var gatewayReplicas = defaults.GatewayReplicas;
        var otlp = defaults.OtlpEndpoint;
        var prometheus = defaults.PrometheusUrl;

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string name;
            string? inlineValue = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                name = arg[..equals];
                inlineValue = arg[(equals + 1)..];
            }
            else
            {
                name = arg;
            }

            switch (name)
            {
                case "-h" or "--help":
                    return PublishParseResult.Help();
                case "--no-gpu":
                    gpu = false;
                    continue;
            }

            if (!name.StartsWith('-'))
            {
                errors.Add($"Unexpected argument '{arg}'; options start with '--' (see --help).");
                continue;
            }

            string value;
            if (inlineValue is not null)
            {
                value = inlineValue;
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                errors.Add(IsKnown(name) ? $"{name} needs a value (see --help)." : UnknownOption(name));
                continue;
            }

            switch (name)
            {
                case "-o" or "--output":
                    output = value;
                    break;
                case "--namespace":
                    ns = value;
                    if (!IsDnsLabel(value))
                    {
                        errors.Add($"--namespace '{value}' must be a DNS label: lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit.");
                    }

                    break;
                case "--registry":
                    registry = value.TrimEnd('/');
                    if (!RegistryPattern().IsMatch(registry))
                    {
                        errors.Add($"--registry '{value}' is not an image prefix like 'ghcr.io/acme' or 'localhost:5000' (lower-case, no spaces, no tag).");
                    }

                    break;
                case "--tag":
                    tag = value;
                    if (!TagPattern().IsMatch(value))
                    {
                        errors.Add($"--tag '{value}' is not an image tag: letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'.");
                    }

                    break;
                case "--autoscaler":
                    switch (value)
                    {
                        case "hpa": autoscaler = AutoscalerKind.Hpa; break;
                        case "keda": autoscaler = AutoscalerKind.Keda; break;
                        case "none": autoscaler = AutoscalerKind.None; break;
                        default: errors.Add($"--autoscaler '{value}' is not one of hpa, keda, none."); break;
                    }

                    break;
                case "--gpu-node-selector":
                    if (SplitPair(value) is var (key, label) && IsLabelKey(key) && IsLabelValue(label))
                    {
                        nodeSelector[key] = label;
                    }
                    else
                    {
                        errors.Add($"--gpu-node-selector '{value}' must be KEY=VALUE with a Kubernetes label key and value, e.g. nvidia.com/gpu.present=true.");
                    }

                    break;
                case "--gpu-toleration":
                    tolerations ??= [];
                    if (value == "none")
                    {
                        break;
                    }

                    if (ParseToleration(value) is null)
                    {
                        errors.Add($"--gpu-toleration '{value}' must be KEY[=VALUE][:EFFECT] with EFFECT one of {string.Join(", ", TaintEffects)}, or 'none'.");
                    }
                    else
                    {
                        tolerations.Add(value);
                    }

                    break;
                case "--sandbox-runtime-class":
                    runtimeClass = value == "none" ? null : value;
                    if (runtimeClass is not null && !IsDnsSubdomain(runtimeClass))
                    {
                        errors.Add($"--sandbox-runtime-class '{value}' must be a RuntimeClass name (lower-case DNS name) or 'none'.");
                    }

                    break;
                case "--external":
                    if (SplitPair(value) is var (resource, connection) && resource.Length > 0 && connection.Length > 0)
                    {
                        external[resource] = connection;
                    }
                    else
                    {
                        errors.Add("--external must be NAME=CONNECTION_STRING, e.g. --external \"registry=Host=db.example.com;Database=registry;Username=app;Password=…\".");
                    }

                    break;
                case "--storage-class":
                    storageClass = value;
                    if (!IsDnsSubdomain(value))
                    {
                        errors.Add($"--storage-class '{value}' must be a StorageClass name (lower-case DNS name).");
                    }

                    break;
                case "--shared-storage-class":
                    sharedStorageClass = value;
                    if (!IsDnsSubdomain(value))
                    {
                        errors.Add($"--shared-storage-class '{value}' must be a StorageClass name (lower-case DNS name).");
                    }

                    break;
                case "--gateway-service-type":
                    var type = Array.Find(ServiceTypes, t => string.Equals(t, value, StringComparison.OrdinalIgnoreCase));
                    if (type is null)
                    {
                        errors.Add($"--gateway-service-type '{value}' is not one of {string.Join(", ", ServiceTypes)}.");
                    }
                    else
                    {
                        serviceType = type;
                    }

                    break;
                case "--gateway-replicas":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out gatewayReplicas) || gatewayReplicas is < 1 or > 100)
                    {
                        errors.Add($"--gateway-replicas '{value}' must be a whole number from 1 to 100.");
                    }

                    break;
                case "--otlp-endpoint":
                    otlp = value == "none" ? null : value;
                    if (otlp is not null && !IsHttpUrl(otlp))
                    {
                        errors.Add($"--otlp-endpoint '{value}' must be an http:// or https:// URL, or 'none'.");
                    }

                    break;
                case "--prometheus-url":
                    prometheus = value;
                    if (!IsHttpUrl(value))
                    {
                        errors.Add($"--prometheus-url '{value}' must be an http:// or https:// URL.");
                    }

                    break;
                default:
                    errors.Add(UnknownOption(name));
                    break;
            }
        }

        if (string.IsNullOrWhiteSpace(output))
        {
            errors.Add("--output DIR is required: the folder to write the manifests to.");
        }

        if (errors.Count > 0)
        {
            return PublishParseResult.Failed(errors);
        }

        return PublishParseResult.Ok(new PublishOptions
        {
            OutputFolder = Path.GetFullPath(output!),
            Namespace = ns,
            Registry = registry,
            Tag = tag,
            Autoscaler = autoscaler,
            Gpu = gpu,
            GpuNodeSelector = nodeSelector,
            GpuTolerations = tolerations ?? defaults.GpuTolerations,
            SandboxRuntimeClass = runtimeClass,
            External = external,
            StorageClass = storageClass,
            SharedStorageClass = sharedStorageClass,
            GatewayServiceType = serviceType,
            GatewayReplicas = gatewayReplicas,
            OtlpEndpoint = otlp,
            PrometheusUrl = prometheus,
        });
    }

    /// <summary>A toleration written as <c>KEY[=VALUE][:EFFECT]</c>; null when malformed.</summary>
    public static (string Key, string? Value, string? Effect)? ParseToleration(string text)
    {
        string? effect = null;
        var colon = text.LastIndexOf(':');
        if (colon >= 0)
        {
            effect = text[(colon + 1)..];
            text = text[..colon];
            if (Array.IndexOf(TaintEffects, effect) < 0)
            {
                return null;
            }
        }

        string? value = null;
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals >= 0)
        {
            value = text[(equals + 1)..];
            text = text[..equals];
            if (!IsLabelValue(value))
            {
                return null;
            }
        }

        return IsLabelKey(text) ? (text, value, effect) : null;
    }

    /// <summary>An RFC 1123 label: what Kubernetes accepts as a namespace or Service name.</summary>
    public static bool IsDnsLabel(string value) => value.Length <= 63 && DnsLabelPattern().IsMatch(value);

    private static bool IsDnsSubdomain(string value) => value.Length <= 253 && value.Split('.').All(IsDnsLabel);

    private static bool IsLabelKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash >= 0 ? key[(slash + 1)..] : key;
        return (slash < 0 || IsDnsSubdomain(key[..slash])) && name.Length is > 0 and <= 63 && LabelValuePattern().IsMatch(name);
    }

    private static bool IsLabelValue(string value) => value.Length <= 63 && (value.Length == 0 || LabelValuePattern().IsMatch(value));

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static (string, string)? SplitPair(string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? null : (value[..equals], value[(equals + 1)..]);
    }

    private static bool IsKnown(string name) => name is "-o" or "--output" or "--namespace" or "--registry" or "--tag" or "--autoscaler"
        or "--gpu-node-selector" or "--gpu-toleration" or "--sandbox-runtime-class" or "--external" or "--storage-class"
        or "--shared-storage-class" or "--gateway-service-type" or "--gateway-replicas" or "--otlp-endpoint" or "--prometheus-url";

    private static string UnknownOption(string name) => $"Unknown option '{name}' (see --help for the options of publish).";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabelPattern();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelValuePattern();

    [GeneratedRegex("^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$")]
    private static partial Regex RegistryPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();
}
