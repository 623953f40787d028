using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using static BenchPlatform.AppHost.Publishing.KubernetesSyntax;

namespace BenchPlatform.AppHost.Publishing;

/// <summary>
/// Parses the arguments after <c>publish</c> into <see cref="PublishOptions"/>, collecting every mistake
/// (not just the first) with a message that says what to change.
/// </summary>
/// <remarks>
/// On System.CommandLine, the repository's one command-line parser (LoadTests uses it too): the parser .NET users know,
/// and it gathers every error of a command line. Each option's check is its own parser; <see cref="Usage"/> stays our text.
/// </remarks>
internal static class PublishArguments
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

    /// <summary>The value that turns an optional setting off (no toleration, no RuntimeClass, no OTLP export).</summary>
    private const string None = "none";

    private static readonly string[] ServiceTypes = ["LoadBalancer", "NodePort", "ClusterIP"];

    private static readonly Option<bool> Help = new("--help", "-h") { Arity = ArgumentArity.Zero };

    private static readonly Option<bool> NoGpu = new("--no-gpu") { Arity = ArgumentArity.Zero };

    private static readonly Option<string> Output = Value("--output", Where(_ => true), _ => "", "-o");

    private static readonly Option<string> Namespace = Value("--namespace", Where(IsDnsLabel),
        text => $"--namespace '{text}' must be a DNS label: lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit.");

    private static readonly Option<string> Registry = Value("--registry", (string text, out string value) => IsImageRegistry(value = text.TrimEnd('/')),
        text => $"--registry '{text}' is not an image prefix like 'ghcr.io/acme' or 'localhost:5000' (lower-case, no spaces, no tag).");

    private static readonly Option<string> Tag = Value("--tag", Where(IsImageTag),
        text => $"--tag '{text}' is not an image tag: letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'.");

    private static readonly Option<AutoscalerKind> Autoscaler = Value("--autoscaler", (string text, out AutoscalerKind value) =>
        {
            value = text switch { "keda" => AutoscalerKind.Keda, "none" => AutoscalerKind.None, _ => AutoscalerKind.Hpa };
            return text is "hpa" or "keda" or "none";
        },
        text => $"--autoscaler '{text}' is not one of hpa, keda, none.");

    private static readonly Option<List<(string, string)>> GpuNodeSelector = Each("--gpu-node-selector",
        (string text, out (string, string) value) => SplitPair(text, out value) && IsLabelKey(value.Item1) && IsLabelValue(value.Item2),
        text => $"--gpu-node-selector '{text}' must be KEY=VALUE with a Kubernetes label key and value, e.g. nvidia.com/gpu.present=true.");

    /// <summary>Each toleration, or <c>none</c> (given alone, it clears the default).</summary>
    private static readonly Option<List<string>> GpuTolerations = Each("--gpu-toleration", NoneOr(text => ParseToleration(text) is not null),
        text => $"--gpu-toleration '{text}' must be KEY[=VALUE][:EFFECT] with EFFECT one of {Effects}, or 'none'.");

    private static readonly Option<string> SandboxRuntimeClass = Value("--sandbox-runtime-class", NoneOr(IsDnsSubdomain),
        text => $"--sandbox-runtime-class '{text}' must be a RuntimeClass name (lower-case DNS name) or 'none'.");

    private static readonly Option<List<(string, string)>> External = Each("--external",
        (string text, out (string, string) value) => SplitPair(text, out value) && value.Item1.Length > 0 && value.Item2.Length > 0,
        _ => "--external must be NAME=CONNECTION_STRING, e.g. --external \"registry=Host=db.example.com;Database=registry;Username=app;Password=…\".");

    private static readonly Option<string> StorageClass = Value("--storage-class", Where(IsDnsSubdomain),
        text => $"--storage-class '{text}' must be a StorageClass name (lower-case DNS name).");

    private static readonly Option<string> SharedStorageClass = Value("--shared-storage-class", Where(IsDnsSubdomain),
        text => $"--shared-storage-class '{text}' must be a StorageClass name (lower-case DNS name).");

    private static readonly Option<string> GatewayServiceType = Value("--gateway-service-type",
        (string text, out string value) => (value = Array.Find(ServiceTypes, t => string.Equals(t, text, StringComparison.OrdinalIgnoreCase))!) is not null,
        text => $"--gateway-service-type '{text}' is not one of {string.Join(", ", ServiceTypes)}.");

    private static readonly Option<int> GatewayReplicas = Value("--gateway-replicas",
        (string text, out int value) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value is >= 1 and <= 100,
        text => $"--gateway-replicas '{text}' must be a whole number from 1 to 100.");

    private static readonly Option<string> OtlpEndpoint = Value("--otlp-endpoint", NoneOr(IsHttpUrl),
        text => $"--otlp-endpoint '{text}' must be an http:// or https:// URL, or 'none'.");

    private static readonly Option<string> PrometheusUrl = Value("--prometheus-url", Where(IsHttpUrl),
        text => $"--prometheus-url '{text}' must be an http:// or https:// URL.");

    /// <summary>What no option took: each is a stray word or an unknown option.</summary>
    private static readonly Argument<string[]> Loose = new("arguments") { Arity = ArgumentArity.ZeroOrMore };

    private static readonly Command Command = new(PublishCommand.Verb)
    {
        Help, NoGpu, Output, Namespace, Registry, Tag, Autoscaler, GpuNodeSelector, GpuTolerations, SandboxRuntimeClass, External,
        StorageClass, SharedStorageClass, GatewayServiceType, GatewayReplicas, OtlpEndpoint, PrometheusUrl, Loose,
    };

    /// <summary>No response files (<c>@file</c>) and no bundling of short options: every argument means what it says.</summary>
    private static readonly ParserConfiguration Configuration = new() { ResponseFileTokenReplacer = null, EnablePosixBundling = false };

    /// <summary>Reads one option value; false when it does not fit.</summary>
    private delegate bool Reader<T>(string text, out T value);

    /// <summary>Parses <paramref name="args"/> (without the leading <c>publish</c>).</summary>
    public static PublishParseResult Parse(IReadOnlyList<string> args)
    {
        var result = Command.Parse(args, Configuration);
        if (result.GetValue(Help))
        {
            return PublishParseResult.Help();
        }

        var errors = new List<string>();
        foreach (var error in result.Errors)
        {
            errors.Add(error.Message);
        }

        AddLooseArgumentErrors(result, errors);
        var output = result.GetResult(Output)?.Tokens.LastOrDefault(token => !token.Value.StartsWith("--", StringComparison.Ordinal))?.Value;
        if (string.IsNullOrWhiteSpace(output))
        {
            errors.Add("--output DIR is required: the folder to write the manifests to.");
        }

        if (errors.Count > 0)
        {
            return PublishParseResult.Failed(errors);
        }

        var defaults = new PublishOptions { OutputFolder = "" };
        return PublishParseResult.Ok(new PublishOptions
        {
            OutputFolder = Path.GetFullPath(output!),
            Namespace = ValueOr(result, Namespace, defaults.Namespace),
            Registry = ValueOr(result, Registry, defaults.Registry),
            Tag = ValueOr(result, Tag, defaults.Tag),
            Autoscaler = ValueOr(result, Autoscaler, defaults.Autoscaler),
            Gpu = !result.GetValue(NoGpu),
            GpuNodeSelector = LastWins(ValueOr(result, GpuNodeSelector, [])),
            GpuTolerations = !Given(result, GpuTolerations) ? defaults.GpuTolerations : [.. result.GetValue(GpuTolerations)!.Where(toleration => toleration != None)],
            SandboxRuntimeClass = Given(result, SandboxRuntimeClass) ? OrNull(result.GetValue(SandboxRuntimeClass)!) : defaults.SandboxRuntimeClass,
            External = LastWins(ValueOr(result, External, [])),
            StorageClass = result.GetValue(StorageClass),
            SharedStorageClass = result.GetValue(SharedStorageClass),
            GatewayServiceType = ValueOr(result, GatewayServiceType, defaults.GatewayServiceType),
            GatewayReplicas = ValueOr(result, GatewayReplicas, defaults.GatewayReplicas),
            OtlpEndpoint = Given(result, OtlpEndpoint) ? OrNull(result.GetValue(OtlpEndpoint)!) : defaults.OtlpEndpoint,
            PrometheusUrl = ValueOr(result, PrometheusUrl, defaults.PrometheusUrl),
        });
    }

    /// <summary>A word that is not an option is a mistake; an unknown option takes the word after it along, so it is one mistake, not two.</summary>
    private static void AddLooseArgumentErrors(ParseResult result, List<string> errors)
    {
        var loose = new HashSet<Token>(result.GetResult(Loose)?.Tokens ?? [], ReferenceEqualityComparer.Instance);
        var tokens = result.Tokens;
        for (var i = 0; i < tokens.Count; i++)
        {
            var text = tokens[i].Value;
            if (tokens[i].Type == TokenType.DoubleDash || (loose.Contains(tokens[i]) && text.StartsWith('-')))
            {
                var equals = text.IndexOf('=', StringComparison.Ordinal);
                errors.Add(UnknownOption(text.StartsWith("--", StringComparison.Ordinal) && equals > 0 ? text[..equals] : text));
                if (equals < 0 && i + 1 < tokens.Count && loose.Contains(tokens[i + 1]) && !tokens[i + 1].Value.StartsWith("--", StringComparison.Ordinal))
                {
                    i++;
                }
            }
            else if (loose.Contains(tokens[i]))
            {
                errors.Add($"Unexpected argument '{text}'; options start with '--' (see --help).");
            }
        }
    }

    /// <summary>An option with one value; each use is checked, and the last one counts.</summary>
    private static Option<T> Value<T>(string name, Reader<T> read, Func<string, string> mistake, params string[] aliases) => new(name, aliases)
    {
        // Zero or more, one per use: a use without a value gets this parser's message rather than System.CommandLine's.
        Arity = ArgumentArity.ZeroOrMore,
        CustomParser = argument =>
        {
            var value = default(T)!;
            foreach (var text in Texts(name, argument))
            {
                if (!read(text, out value))
                {
                    argument.AddError(mistake(text));
                }
            }

            return value;
        },
    };

    /// <summary>A repeatable option; each use adds its value.</summary>
    private static Option<List<T>> Each<T>(string name, Reader<T> read, Func<string, string> mistake) => new(name)
    {
        Arity = ArgumentArity.ZeroOrMore,
        CustomParser = argument =>
        {
            var values = new List<T>();
            foreach (var text in Texts(name, argument))
            {
                if (read(text, out var value))
                {
                    values.Add(value);
                }
                else
                {
                    argument.AddError(mistake(text));
                }
            }

            return values;
        },
    };

    /// <summary>The values given to an option; a use followed by another option (or by nothing) is missing its value.</summary>
    private static List<string> Texts(string name, ArgumentResult argument)
    {
        var texts = new List<string>();
        foreach (var token in argument.Tokens)
        {
            if (token.Value.StartsWith("--", StringComparison.Ordinal))
            {
                argument.AddError($"{name} needs a value (see --help).");
            }
            else
            {
                texts.Add(token.Value);
            }
        }

        // Fewer values than uses: one use had none (at the end of the line, or right before another option).
        if (argument.Parent is OptionResult option && argument.Tokens.Count < option.IdentifierTokenCount)
        {
            argument.AddError($"{name} needs a value (see --help).");
        }

        return texts;
    }

    private static Reader<string> Where(Func<string, bool> valid) => (string text, out string value) => valid(value = text);

    /// <summary><c>none</c>, or a value <paramref name="valid"/> accepts; <see cref="OrNull"/> reads <c>none</c> back as null.</summary>
    private static Reader<string> NoneOr(Func<string, bool> valid) => (string text, out string value) => (value = text) == None || valid(text);

    private static string? OrNull(string value) => value == None ? null : value;

    private static T ValueOr<T>(ParseResult result, Option<T> option, T fallback) => Given(result, option) ? result.GetValue(option)! : fallback;

    /// <summary>Whether the command line names <paramref name="option"/> (System.CommandLine also gives options it fills with a default a result).</summary>
    private static bool Given(ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };

    /// <summary>The pairs by key; a key given twice keeps its last value.</summary>
    private static Dictionary<string, string> LastWins(List<(string Key, string Value)> pairs)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            map[key] = value;
        }

        return map;
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static bool SplitPair(string text, out (string, string) pair)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        pair = equals < 0 ? default : (text[..equals], text[(equals + 1)..]);
        return equals >= 0;
    }

    private static string UnknownOption(string name) => $"Unknown option '{name}' (see --help for the options of publish).";
}
