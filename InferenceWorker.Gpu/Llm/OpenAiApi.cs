using System.Buffers;
using System.Globalization;
using BenchPlatform.InferenceWorker.Registry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// The OpenAI-compatible text generation API: <c>/v1/completions</c> and <c>/v1/chat/completions</c> (JSON or
/// server-sent events ending in <c>data: [DONE]</c>), the <c>strategy</c> extension, LLM upload
/// (<c>POST /v1/llm/models?name=</c>, <see cref="LlmUpload"/>) and the scheduler's state (<c>GET /v1/llm/stats</c>).
/// The bodies are read by the contract's reader (<see cref="CompletionRequestReader"/>), as the gateway checks them.
/// </summary>
public static class OpenAiApi
{
    private const int MaxBodyBytes = 4 << 20;

    /// <summary>Maps the completion endpoints, the LLM upload and the stats.</summary>
    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/completions", CompleteAsync);
        app.MapPost("/v1/chat/completions", ChatAsync);
        var llm = app.MapGroup("/v1/llm");
        llm.MapPost("/models", LlmUpload.UploadAsync);
        llm.MapGet("/stats", Stats);
        return app;
    }

    private static Task CompleteAsync(HttpContext context, [AsParameters] CompletionServices services) => HandleAsync(context, services, chat: false);

    private static Task ChatAsync(HttpContext context, [AsParameters] CompletionServices services) => HandleAsync(context, services, chat: true);

    // Answers by writing the response itself: a stream starts with the first token, and a problem after that cannot be sent.
    private static async Task HandleAsync(HttpContext context, CompletionServices services, bool chat)
    {
        var started = services.Time.GetTimestamp();
        try
        {
            var body = await ReadBodyAsync(context);
            var request = CompletionRequestReader.Read(body, chat);
            if (services.Catalog.TryGetUpstream(request.Model, out var upstream))
            {
                await services.Upstream.ForwardAsync(context, upstream, body, chat);
                return;
            }

            if (!services.Catalog.TryGetLocal(request.Model, out var model)
                && (model = (await services.Registered.TryLoadAsync(request.Model, context.RequestAborted))!) is null)
            {
                throw await UnknownModelAsync(services.Resolver, request.Model, context.RequestAborted);
            }

            using var job = CompletionJob.Submit(model, request, chat, services.Options.Value, context.RequestAborted);
            await new CompletionRun(context, model, request, chat, job, services.Time, started).RunAsync(services.Metrics);
        }
        catch (BadRequestException e) when (!context.Response.HasStarted)
        {
            await WriteProblemAsync(context, StatusCodes.Status400BadRequest, e.Title, e.Message, null);
        }
        catch (LlmRequestException e) when (!context.Response.HasStarted)
        {
            await WriteProblemAsync(context, e.Status, e.Title, e.Message, e.RetryAfterSeconds);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || context.Response.HasStarted)
        {
            // The client went away; its sequences were stopped on the way out.
        }
    }

    private static Ok<LlmStatsResponse> Stats(LlmCatalog catalog, IOptions<LlmOptions> options)
    {
        var models = new Dictionary<string, LlmModelStats>();
        foreach (var model in catalog.Local)
        {
            var engine = model.Engine;
            models[model.Name] = new LlmModelStats(
                engine.ActiveSequences, engine.WaitingSequences, engine.KvTokensReserved, options.Value.KvBudgetTokens, options.Value.MaxBatch, engine.Steps);
        }

        return TypedResults.Ok(new LlmStatsResponse(models));
    }

    private static async Task<LlmRequestException> UnknownModelAsync(ModelResolver? resolver, string name, CancellationToken cancellationToken)
    {
        if (resolver is not null)
        {
            try
            {
                if (await resolver.ResolveAsync(name, null, cancellationToken) is not null)
                {
                    return new(StatusCodes.Status400BadRequest, ProblemTitles.NotALanguageModel, $"Model '{name}' is an ONNX model, not an LLM; call POST /v2/models/{name}/infer, or pick a model with kind \"llm\" from GET /v1/models.");
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The registry is unreachable: the name is at least not a served LLM.
            }
        }

        return new LlmRequestException(StatusCodes.Status404NotFound, ProblemTitles.UnknownModel, $"No LLM named '{name}' is served here; GET /v1/models lists the models with kind \"llm\".");
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            throw new LlmRequestException(StatusCodes.Status413PayloadTooLarge, ProblemTitles.BodyTooLarge, $"The body is {context.Request.ContentLength} bytes; at most {MaxBodyBytes} are accepted.");
        }

        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > MaxBodyBytes)
                {
                    throw new LlmRequestException(StatusCodes.Status413PayloadTooLarge, ProblemTitles.BodyTooLarge, $"The body is over {MaxBodyBytes} bytes.");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    private static async Task WriteProblemAsync(HttpContext context, int status, string title, string detail, int? retryAfter)
    {
        if (retryAfter is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        await WorkerProblem.Create(status, title, detail).ExecuteAsync(context);
    }
}
