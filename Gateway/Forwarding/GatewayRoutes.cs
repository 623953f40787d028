using System.Collections.Frozen;
using BenchPlatform.Gateway.Validation;
using Microsoft.AspNetCore.Routing.Template;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace BenchPlatform.Gateway.Forwarding;

/// <summary>The public routes (docs/api.md), the cluster each goes to, and each route's <see cref="RoutePolicy"/>.</summary>
internal static class GatewayRoutes
{
    public const string Inference = "inference";
    public const string Sandbox = "sandbox";
    public const string AppHost = "apphost";

    private static readonly (RouteConfig Route, RoutePolicy Policy)[] Table =
    [
        Route("infer", Inference, "/v2/models/{model}/infer", ["POST"], BodyKind.Infer, idempotent: true),
        Route("infer-version", Inference, "/v2/models/{model}/versions/{version}/infer", ["POST"], BodyKind.Infer, idempotent: true),
        Route("v2", Inference, "/v2/{**rest}"),
        Route("model-upload", Inference, "/v1/models", ["POST"], BodyKind.ModelUpload, admin: true),
        Route("model-delete", Inference, "/v1/models/{name}", ["DELETE"], admin: true),
        Route("models", Inference, "/v1/models/{**rest}"),
        Route("completions", Inference, "/v1/completions", ["POST"], BodyKind.Completion),
        Route("chat-completions", Inference, "/v1/chat/completions", ["POST"], BodyKind.ChatCompletion),
        Route("llm-upload", Inference, "/v1/llm/models", ["POST"], BodyKind.LlmUpload, admin: true),
        Route("llm-stats", Inference, "/v1/llm/stats", ["GET"], idempotent: true),
        Route("block-run", Sandbox, "/v1/blocks/run", ["POST"], BodyKind.BlockRun),
        Route("block-register", Sandbox, "/v1/blocks", ["POST"], BodyKind.BlockRegister, admin: true),
        Route("block-run-named", Sandbox, "/v1/blocks/{name}/run", ["POST"], BodyKind.BlockRunNamed),
        Route("blocks", Sandbox, "/v1/blocks/{**rest}"),
        Route("scale-get", AppHost, "/v1/scale", ["GET"], transform: r => r.WithTransformPathSet("/_internal/scale")),
        Route("scale-put", AppHost, "/v1/scale/{name}", ["PUT"], BodyKind.Scale, admin: true,
            transform: r => r.WithTransformPathRouteValues("/_internal/scale/{name}")),
        Route("warmup", AppHost, "/v1/warmup", ["POST"], BodyKind.Warmup, admin: true,
            transform: r => r.WithTransformPathSet("/_internal/warmup")),
    ];

    private static readonly FrozenDictionary<string, RoutePolicy> Policies =
        Table.ToFrozenDictionary(entry => entry.Route.RouteId, entry => entry.Policy, StringComparer.Ordinal);

    private static readonly (TemplateMatcher Matcher, IReadOnlyList<string> Methods)[] MethodRestricted =
    [
        .. Table.Where(entry => entry.Route.Match.Methods is { Count: > 0 })
            .Select(entry => (new TemplateMatcher(TemplateParser.Parse(entry.Route.Match.Path!), []), entry.Route.Match.Methods!)),
    ];

    public static IReadOnlyList<RouteConfig> Build() => Array.ConvertAll(Table, entry => entry.Route);

    /// <summary>
    /// The methods the routes whose path matches <paramref name="path"/> accept; empty when no route has this
    /// path. Asked only for requests no route took, so a non-empty answer means the method was wrong (405).
    /// </summary>
    public static IReadOnlyList<string> MethodsFor(PathString path)
    {
        List<string>? methods = null;
        foreach (var (matcher, allowed) in MethodRestricted)
        {
            if (matcher.TryMatch(path, []))
            {
                methods ??= [];
                methods.AddRange(allowed.Where(method => !methods.Contains(method, StringComparer.Ordinal)));
            }
        }

        return methods ?? (IReadOnlyList<string>)[];
    }

    /// <summary>The policy of the YARP route a request matched.</summary>
    public static RoutePolicy PolicyOf(RouteModel route) =>
        Policies.TryGetValue(route.Config.RouteId, out var policy) ? policy : RoutePolicy.Default;

    private static (RouteConfig, RoutePolicy) Route(
        string id, string cluster, string path, string[]? methods = null, BodyKind body = BodyKind.None,
        bool admin = false, bool idempotent = false, Func<RouteConfig, RouteConfig>? transform = null)
    {
        var route = new RouteConfig
        {
            RouteId = id,
            ClusterId = cluster,
            Match = new RouteMatch { Path = path, Methods = methods },
        };
        return (transform is null ? route : transform(route), new RoutePolicy(body, admin, idempotent));
    }
}
