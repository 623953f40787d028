using System.Globalization;
using System.Net.Sockets;
using BenchPlatform.InferenceWorker.Registry;
using BenchPlatform.InferenceWorker.Sessions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BenchPlatform.InferenceWorker.Management;

/// <summary>The management API: upload, list, get, delete and warm up models (<c>/v1/models…</c>).</summary>
public static class ModelsApi
{
    /// <summary>Maps <c>/v1/models</c>.</summary>
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/v1/models");
        models.MapPost("/", UploadAsync);
        models.MapGet("/", ListAsync);
        models.MapGet("/{name}", GetAsync);
        models.MapDelete("/{name}", DeleteAsync);
        models.MapPost("/{name}/warmup", WarmupAsync);
        return app;
    }

    private static async Task<Results<Created<ModelResponse>, ProblemHttpResult>> UploadAsync(
        HttpContext context, ModelCatalog catalog, IOptions<InferenceOptions> options,
        string? name, [FromQuery(Name = "max_batch_size")] int? maxBatchSize, [FromQuery(Name = "max_queue_delay_us")] int? maxQueueDelayUs,
        CancellationToken cancellationToken)
    {
        if (ModelNames.Check(name) is { } nameProblem)
        {
            return Problem(StatusCodes.Status400BadRequest, ProblemTitles.InvalidModelName, nameProblem);
        }

        if (maxBatchSize is < 1 or > 1 << 20)
        {
            return Problem(StatusCodes.Status400BadRequest, ProblemTitles.InvalidMaxBatchSize, "max_batch_size must be between 1 and 1048576.");
        }

        if (maxQueueDelayUs is < 0 or > 10_000_000)
        {
            return Problem(StatusCodes.Status400BadRequest, ProblemTitles.InvalidMaxQueueDelay, "max_queue_delay_us must be between 0 and 10000000 (10 s).");
        }

        var limit = options.Value.MaxUploadBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        if (context.Request.ContentLength > limit)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, ProblemTitles.ModelTooLarge, $"The upload is {context.Request.ContentLength} bytes; this worker accepts at most {limit} (Inference:MaxUploadBytes).");
        }

        byte[] bytes;
        try
        {
            using var buffer = new MemoryStream(context.Request.ContentLength is { } length ? (int)Math.Min(length, int.MaxValue) : 1 << 16);
            await context.Request.Body.CopyToAsync(buffer, cancellationToken);
            bytes = buffer.ToArray();
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, ProblemTitles.ModelTooLarge, $"This worker accepts at most {limit} bytes (Inference:MaxUploadBytes).");
        }

        if (bytes.Length == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, ProblemTitles.EmptyUpload, "The body is empty; send the model's .onnx bytes as application/octet-stream.");
        }

        try
        {
            var record = await catalog.UploadAsync(name!, bytes, maxBatchSize, maxQueueDelayUs, cancellationToken);
            return TypedResults.Created($"/v1/models/{record.Name}", ModelResponse.From(record));
        }
        catch (InvalidModelException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, ProblemTitles.NotALoadableOnnxModel,
                $"{ex.Message} Nothing was stored; upload the bytes of an .onnx file that ONNX Runtime can load.");
        }
        catch (Exception ex) when (IsDatabaseDown(ex))
        {
            return Unavailable(context);
        }
        catch (IOException ex) when (BlobStore.IsDiskFull(ex))
        {
            context.Response.Headers.RetryAfter = "60";
            return Problem(StatusCodes.Status507InsufficientStorage, ProblemTitles.ModelStoreFull,
                $"The model store's disk has no room for these {bytes.Length} bytes; nothing was stored. Free space there " +
                "(e.g. DELETE /v1/models/{name} for models no longer needed), then upload again.");
        }
    }

    private static async Task<Results<Ok<ModelList>, ProblemHttpResult>> ListAsync(
        HttpContext context, ModelRegistry registry, [FromServices] IEnumerable<IModelListSource> sources, CancellationToken cancellationToken)
    {
        try
        {
            var data = new List<ModelListEntry>();
            foreach (var record in await registry.ListLatestAsync(cancellationToken))
            {
                data.Add(new ModelListEntry(record.Name, record.CreatedAt.ToUnixTimeSeconds(), "onnx") { Version = record.Version, Sha256 = record.Sha256 });
            }

            foreach (var source in sources)
            {
                data.AddRange(await source.ListAsync(cancellationToken));
            }

            return TypedResults.Ok(new ModelList(data));
        }
        catch (Exception ex) when (IsDatabaseDown(ex))
        {
            return Unavailable(context);
        }
    }

    private static async Task<Results<Ok<ModelResponse>, ProblemHttpResult>> GetAsync(
        HttpContext context, string name, ModelRegistry registry, CancellationToken cancellationToken)
    {
        try
        {
            var record = await registry.GetLatestAsync(name, cancellationToken);
            return record is null ? NotFound(name) : TypedResults.Ok(ModelResponse.From(record));
        }
        catch (Exception ex) when (IsDatabaseDown(ex))
        {
            return Unavailable(context);
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        HttpContext context, string name, ModelCatalog catalog, CancellationToken cancellationToken)
    {
        try
        {
            return await catalog.DeleteAsync(name, cancellationToken) ? TypedResults.NoContent() : NotFound(name);
        }
        catch (Exception ex) when (IsDatabaseDown(ex))
        {
            return Unavailable(context);
        }
    }

    private static async Task<Results<Ok<WarmupResponse>, ProblemHttpResult>> WarmupAsync(
        HttpContext context, string name, ModelResolver resolver, ModelWarmup warmup, CancellationToken cancellationToken)
    {
        ModelRecord? record;
        try
        {
            record = await resolver.ResolveAsync(name, null, cancellationToken);
        }
        catch (RegistryUnavailableException)
        {
            return Unavailable(context);
        }

        if (record is null)
        {
            return NotFound(name);
        }

        var result = await warmup.WarmAsync(record, cancellationToken);
        return TypedResults.Ok(new WarmupResponse(
            result.Model, result.Version.ToString(CultureInfo.InvariantCulture), Math.Round(result.LoadMs, 3),
            result.FirstRunMs is { } run ? Math.Round(run, 3) : null, result.OptimizedCache, result.LoadedNow, result.IntraOpThreads, result.FirstRunError));
    }

    private static bool IsDatabaseDown(Exception ex) => ex is NpgsqlException or SocketException or TimeoutException;

    private static ProblemHttpResult NotFound(string name) => Problem(StatusCodes.Status404NotFound, ProblemTitles.ModelNotFound,
        $"No model named '{name}' is registered; list models with GET /v1/models.");

    private static ProblemHttpResult Unavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "1";
        return Problem(StatusCodes.Status503ServiceUnavailable, ProblemTitles.RegistryUnavailable, "The model registry (PostgreSQL) is unreachable; retry shortly.");
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) => WorkerProblem.Create(status, title, detail);
}
