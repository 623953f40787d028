using System.Text.RegularExpressions;

namespace BenchPlatform.AppHost.Publishing;

/// <summary>What Kubernetes accepts as a name, a label or a toleration, and what an image reference accepts as a registry or a tag.</summary>
internal static partial class KubernetesSyntax
{
    private static readonly string[] TaintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    /// <summary>The effects a toleration may name, for messages.</summary>
    public static string Effects => string.Join(", ", TaintEffects);

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

    /// <summary>An RFC 1123 subdomain: what Kubernetes accepts as a StorageClass or RuntimeClass name.</summary>
    public static bool IsDnsSubdomain(string value) => value.Length <= 253 && value.Split('.').All(IsDnsLabel);

    public static bool IsLabelKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash >= 0 ? key[(slash + 1)..] : key;
        return (slash < 0 || IsDnsSubdomain(key[..slash])) && name.Length is > 0 and <= 63 && LabelValuePattern().IsMatch(name);
    }

    public static bool IsLabelValue(string value) => value.Length <= 63 && (value.Length == 0 || LabelValuePattern().IsMatch(value));

    /// <summary>An image prefix such as <c>ghcr.io/acme</c> or <c>localhost:5000</c>: lower-case, no tag.</summary>
    public static bool IsImageRegistry(string value) => RegistryPattern().IsMatch(value);

    /// <summary>An image tag: letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'.</summary>
    public static bool IsImageTag(string value) => TagPattern().IsMatch(value);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabelPattern();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelValuePattern();

    [GeneratedRegex("^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$")]
    private static partial Regex RegistryPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();
}
