using BenchPlatform.Gateway.Validation;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace BenchPlatform.Gateway.Forwarding;

/// <summary>The public routes (API.md) and the cluster each goes to.</summary>
internal static class GatewayRoutes
{
    public const string Inference = "inference";
    public const string Sandbox = "sandbox";
    public const string AppHost = "apphost";

    public static IReadOnlyList<RouteConfig> Build() =>
    [
        Route("infer", Inference, "/v2/models/{model}/infer", ["POST"], BodyKind.Infer, idempotent: true),
        Route("infer-version", Inference, "/v2/models/{model}/versions/{version}/infer", ["POST"], BodyKind.Infer, idempotent: true),
        Route("v2", Inference, "/v2/{**rest}"),
        Route("model-upload", Inference, "/v1/models", ["POST"], BodyKind.ModelUpload, admin: true),
        Route("model-delete", Inference, "/v1/models/{name}", ["DELETE"], admin: true),
        Route("models", Inference, "/v1/models/{**rest}"),
        Route("completions", Inference, "/v1/completions", ["POST"], BodyKind.Completion),
        Route("chat-completions", Inference, "/v1/chat/completions", ["POST"], BodyKind.ChatCompletion),
        Route("block-run", Sandbox, "/v1/blocks/run", ["POST"], BodyKind.BlockRun),
        Route("block-register", Sandbox, "/v1/blocks", ["POST"], BodyKind.BlockRegister, admin: true),
        Route("block-run-named", Sandbox, "/v1/blocks/{name}/run", ["POST"], BodyKind.BlockRunNamed),
        Route("blocks", Sandbox, "/v1/blocks/{**rest}"),
        Route("scale-get", AppHost, "/v1/scale", ["GET"]).WithTransformPathSet("/_internal/scale"),
        Route("scale-put", AppHost, "/v1/scale/{name}", ["PUT"], BodyKind.Scale, admin: true)
            .WithTransformPathRouteValues("/_internal/scale/{name}"),
        Route("warmup", AppHost, "/v1/warmup", ["POST"], BodyKind.Warmup, admin: true).WithTransformPathSet("/_internal/warmup"),
    ];

    private static RouteConfig Route(
        string id, string cluster, string path, string[]? methods = null, BodyKind body = BodyKind.None,
        bool admin = false, bool idempotent = false)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (body != BodyKind.None)
        {
            metadata[RouteMetadata.Validation] = body.ToString();
        }

        if (admin)
        {
            metadata[RouteMetadata.Admin] = "true";
        }

        if (idempotent)
        {
            metadata[RouteMetadata.Idempotent] = "true";
        }

        return new RouteConfig
        {
            RouteId = id,
            ClusterId = cluster,
            Match = new RouteMatch { Path = path, Methods = methods },
            Metadata = metadata,
        };
    }
}
