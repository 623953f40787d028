using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using BenchPlatform.Gateway.Forwarding;
using BenchPlatform.Gateway.Options;
using BenchPlatform.Protocol.Inference;
using BenchPlatform.Protocol.OpenAi;
using BenchPlatform.Protocol.Problems;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace BenchPlatform.Gateway.Validation;

/// <summary>
/// Checks a request before it is forwarded: content type (415), size caps (413), well-formed JSON and the
/// route's required fields (400 naming the field). A valid JSON body is kept in a pooled buffer so a retry
/// can send it again.
/// </summary>
internal sealed class RequestValidationMiddleware(RequestDelegate next, IOptions<GatewayOptions> options)
{
    private const string BinaryHeader = InferBodyReader.BinaryHeader;

    private readonly GatewayOptions _options = options.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        var policy = GatewayRoutes.PolicyOf(context.GetReverseProxyFeature().Route);
        var ok = policy.Body switch
        {
            BodyKind.None => true,
            BodyKind.ModelUpload or BodyKind.LlmUpload => await CheckUploadAsync(context, policy.Body),
            _ => await CheckJsonAsync(context, policy.Body),
        };

        if (ok)
        {
            await next(context);
        }
    }

    private async Task<bool> CheckUploadAsync(HttpContext context, BodyKind kind)
    {
        var request = context.Request;
        var llm = kind == BodyKind.LlmUpload;
        var name = request.Query["name"].ToString();
        if (name.Length == 0 || name.Length > 128 || !IsModelName(name))
        {
            await BadRequest(context, "name", llm
                ? "Pass the model name in the query, e.g. POST /v1/llm/models?name=my-lm (letters, digits, '.', '_', '-'; at most 128)."
                : "Pass the model name in the query, e.g. POST /v1/models?name=mlp (letters, digits, '.', '_', '-'; at most 128).");
            return false;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !IsUploadType(type.MediaType.Value, llm))
        {
            await GatewayProblem.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, ProblemTitles.UnsupportedContentType,
                llm
                    ? $"Send the model folder as a zip (application/zip or application/octet-stream), not '{request.ContentType}'."
                    : $"Send the raw .onnx bytes as application/octet-stream, not '{request.ContentType}'.", "Content-Type");
            return false;
        }

        if (request.ContentLength is { } length)
        {
            if (length > _options.MaxUploadBodyBytes)
            {
                await TooLarge(context, length, _options.MaxUploadBodyBytes);
                return false;
            }

            if (length == 0)
            {
                await BadRequest(context, "body", llm ? "The body is empty; send the zip of the model folder." : "The body is empty; send the .onnx file's bytes.");
                return false;
            }
        }
        else if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = _options.MaxUploadBodyBytes;
        }

        return true;
    }

    private async Task<bool> CheckJsonAsync(HttpContext context, BodyKind kind)
    {
        var request = context.Request;

        // The binary tensor data extension: the first Inference-Header-Content-Length bytes are JSON, raw tensors follow.
        var jsonLength = -1;
        if (kind == BodyKind.Infer && request.Headers.TryGetValue(BinaryHeader, out var header))
        {
            if (header.Count != 1 || !int.TryParse(header[0], NumberStyles.None, CultureInfo.InvariantCulture, out jsonLength) || jsonLength < 1)
            {
                await BadRequest(context, BinaryHeader, $"{BinaryHeader} is '{header}'; it must be one positive integer: the byte length of the body's JSON part.");
                return false;
            }
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !(type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || type.MediaType.Value!.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
                || (jsonLength > 0 && type.MediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase))))
        {
            await GatewayProblem.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, ProblemTitles.UnsupportedContentType,
                jsonLength > 0
                    ? $"Send a binary tensor data body as application/octet-stream or application/json, not '{request.ContentType}'."
                    : $"Send the body as application/json, not '{request.ContentType}'.", "Content-Type");
            return false;
        }

        var cap = _options.MaxJsonBodyBytes;
        if (request.ContentLength > cap)
        {
            await TooLarge(context, request.ContentLength.Value, cap);
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 4096, cap) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > cap)
                    {
                        await TooLarge(context, length, cap);
                        return false;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, cap + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }
        }
        catch (BadHttpRequestException ex)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await BadRequest(context, "body", $"The body could not be read ({ex.Message}); send exactly Content-Length bytes.", ex.StatusCode);
            return false;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return false;
        }

        if (length > cap)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await TooLarge(context, length, cap);
            return false;
        }

        context.Response.OnCompleted(static state =>
        {
            ArrayPool<byte>.Shared.Return((byte[])state);
            return Task.CompletedTask;
        }, buffer);

        if (length == 0)
        {
            await BadRequest(context, "body", "The body is empty; send a JSON object.");
            return false;
        }

        // The contract's readers check UTF-8 themselves (an infer body's JSON part only: binary tensor data after it is
        // forwarded as it came), with the worker's problem; every other body is checked here.
        if (kind is not (BodyKind.Infer or BodyKind.Completion or BodyKind.ChatCompletion) && !Utf8.IsValid(buffer.AsSpan(0, length)))
        {
            await BadRequest(context, "body", "The body is not valid UTF-8; send JSON text encoded as UTF-8.");
            return false;
        }

        // Infer and completion bodies: the contract's own readers, in the gateway's mode (an infer body is the hot path:
        // no allocation when well-formed), so the gateway refuses exactly what the worker would, with the same problem.
        var refusal = kind switch
        {
            BodyKind.Infer => InferBodyReader.Validate(buffer.AsSpan(0, length), jsonLength > 0 ? jsonLength : null, out _),
            BodyKind.Completion => CompletionRequestReader.Validate(buffer.AsMemory(0, length), chat: false),
            BodyKind.ChatCompletion => CompletionRequestReader.Validate(buffer.AsMemory(0, length), chat: true),
            _ => CheckRules(kind, buffer.AsMemory(0, length)),
        };

        if (refusal is not null)
        {
            await GatewayProblem.WriteAsync(context, StatusCodes.Status400BadRequest, refusal.Title, refusal.Message, refusal.Field);
            return false;
        }

        var body = new MemoryStream(buffer, 0, length, writable: false, publiclyVisible: true);
        request.Body = body;
        context.Features.GetRequiredFeature<GatewayRequestFeature>().BufferedBody = body;
        return true;
    }

    // The other JSON bodies: well-formed JSON and the route's rules (JsonBodyRules), refused as 400 Invalid request.
    private static BadRequestException? CheckRules(BodyKind kind, ReadOnlyMemory<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonBodyRules.Check(kind, document.RootElement) is { } error
                ? new BadRequestException(ProblemTitles.InvalidRequest, error.Detail, error.Field)
                : null;
        }
        catch (JsonException ex)
        {
            return new BadRequestException(ProblemTitles.InvalidRequest, $"The body is not valid JSON: {ex.Message}", "body");
        }
    }

    private static Task BadRequest(HttpContext context, string field, string detail, int status = StatusCodes.Status400BadRequest) =>
        GatewayProblem.WriteAsync(context, status, status == StatusCodes.Status413PayloadTooLarge ? ProblemTitles.BodyTooLarge : ProblemTitles.InvalidRequest, detail, field);

    private static Task TooLarge(HttpContext context, long length, long cap) =>
        GatewayProblem.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, ProblemTitles.BodyTooLarge,
            $"The body is larger than this endpoint's cap of {cap} bytes ({length} bytes seen); send a smaller body.", "body");

    private static bool IsUploadType(string? mediaType, bool zip) =>
        string.Equals(mediaType, "application/octet-stream", StringComparison.OrdinalIgnoreCase)
        || (zip && (string.Equals(mediaType, "application/zip", StringComparison.OrdinalIgnoreCase)
            || string.Equals(mediaType, "application/x-zip-compressed", StringComparison.OrdinalIgnoreCase)));

    private static bool IsModelName(string name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
