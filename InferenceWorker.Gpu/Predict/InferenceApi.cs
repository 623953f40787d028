using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using BenchPlatform.InferenceWorker.Batching;
using BenchPlatform.InferenceWorker.Caching;
using BenchPlatform.InferenceWorker.Hosting;
using BenchPlatform.InferenceWorker.Registry;
using BenchPlatform.InferenceWorker.Sessions;
using BenchPlatform.InferenceWorker.Telemetry;
using BenchPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Predict;

/// <summary>The Open Inference Protocol v2 endpoints: health, model metadata and readiness, infer.</summary>
public static class InferenceApi
{
    /// <summary>The binary tensor data extension's header: the byte length of the JSON part of a request or response body.</summary>
    public const string BinaryHeader = InferBodyReader.BinaryHeader;

    /// <summary>Maps <c>/v2/…</c>.</summary>
    public static IEndpointRouteBuilder MapInferenceApi(this IEndpointRouteBuilder app)
    {
        var v2 = app.MapGroup("/v2");
        v2.MapGet("/health/live", () => TypedResults.Ok(new ReadyResponse(true)));
        v2.MapGet("/health/ready", GetServerReady);
        v2.MapGet("/models/{name}", GetModelMetadata);
        v2.MapGet("/models/{name}/versions/{version:int}", GetModelMetadata);
        v2.MapGet("/models/{name}/ready", GetModelReady);
        v2.MapGet("/models/{name}/versions/{version:int}/ready", GetModelReady);
        v2.MapPost("/models/{name}/infer", (HttpContext context, string name) => InferAsync(context, name, null));
        v2.MapPost("/models/{name}/versions/{version}/infer", (HttpContext context, string name, string version) => InferAsync(context, name, version));
        return app;
    }

    private static Results<Ok<ReadyResponse>, ProblemHttpResult> GetServerReady(WorkerReadiness readiness) =>
        readiness.IsReady
            ? TypedResults.Ok(new ReadyResponse(true))
            : WorkerProblem.Create(StatusCodes.Status503ServiceUnavailable, ProblemTitles.NotReady, readiness.Describe());

    private static async Task<Results<Ok<ModelMetadataResponse>, ProblemHttpResult>> GetModelMetadata(
        string name, int? version, ModelResolver resolver, CancellationToken cancellationToken)
    {
        var record = await resolver.ResolveAsync(name, version, cancellationToken);
        if (record is null)
        {
            return NotFound(name, version);
        }

        return TypedResults.Ok(new ModelMetadataResponse(
            record.Name,
            [record.Version.ToString(CultureInfo.InvariantCulture)],
            "onnxruntime_onnx",
            record.Inputs,
            record.Outputs));
    }

    private static async Task<Results<Ok<ModelReadyResponse>, ProblemHttpResult>> GetModelReady(
        string name, int? version, ModelResolver resolver, ModelSessions sessions, CancellationToken cancellationToken)
    {
        var record = await resolver.ResolveAsync(name, version, cancellationToken);
        return record is null
            ? NotFound(name, version)
            : TypedResults.Ok(new ModelReadyResponse(record.Name, record.Version.ToString(CultureInfo.InvariantCulture), true,
                sessions.IsLoaded(record.Name, record.Version)));
    }

    private static ProblemHttpResult NotFound(string name, int? version) => WorkerProblem.Create(
        StatusCodes.Status404NotFound,
        ProblemTitles.ModelNotFound,
        version is null
            ? $"No model named '{name}' is registered; list models with GET /v1/models or upload one with POST /v1/models?name={name}."
            : $"Model '{name}' has no version {version}; GET /v1/models/{name} shows the latest.");

    private static async Task InferAsync(HttpContext context, string name, string? versionText)
    {
        var services = context.RequestServices;
        var cancellationToken = context.RequestAborted;
        int? version = null;
        if (versionText is not null)
        {
            if (!int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < 1)
            {
                await Problem(context, StatusCodes.Status400BadRequest, ProblemTitles.InvalidVersion, $"Version '{versionText}' is not a positive integer.");
                return;
            }

            version = v;
        }

        long deadline = 0;
        if (context.Request.Headers.TryGetValue(RequestDeadline.HeaderName, out var timeoutValues))
        {
            if (timeoutValues.Count != 1 || !RequestDeadline.TryParse(timeoutValues[0], out var timeout))
            {
                await Problem(context, StatusCodes.Status400BadRequest, ProblemTitles.InvalidRequestTimeout, RequestDeadline.Describe(timeoutValues));
                return;
            }

            deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        }

        int? jsonLength = null;
        if (context.Request.Headers.TryGetValue(BinaryHeader, out var headerValues))
        {
            if (headerValues.Count != 1 || !int.TryParse(headerValues[0], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                await Problem(context, StatusCodes.Status400BadRequest, ProblemTitles.InvalidInferenceRequest,
                    $"{BinaryHeader} is '{headerValues}'; it must be one non-negative integer: the byte length of the JSON part of the body.");
                return;
            }

            jsonLength = parsed;
        }

        var memory = services.GetRequiredService<RequestMemory>();
        using var reservation = memory.TryReserve(context.Request.ContentLength ?? 0);
        if (reservation is null)
        {
            await RefuseForMemoryAsync(context, context.Request.ContentLength ?? 0, memory);
            return;
        }

        var reader = context.Request.BodyReader;
        ReadResult read;
        while (true)
        {
            read = await reader.ReadAsync(cancellationToken);
            if (read.IsCompleted || read.IsCanceled)
            {
                break;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }

        if (!reservation.TryGrowTo(read.Buffer.Length))
        {
            reader.AdvanceTo(read.Buffer.End);
            await RefuseForMemoryAsync(context, read.Buffer.Length, memory);
            return;
        }

        InferRequest request;
        byte[]? copy = null;
        try
        {
            var buffer = read.Buffer;
            ReadOnlySpan<byte> body;
            if (buffer.IsSingleSegment)
            {
                body = buffer.FirstSpan;
            }
            else
            {
                copy = ArrayPool<byte>.Shared.Rent((int)buffer.Length);
                buffer.CopyTo(copy);
                body = copy.AsSpan(0, (int)buffer.Length);
            }

            request = InferBodyReader.Decode(body, jsonLength);
        }
        catch (BadRequestException ex)
        {
            await Problem(context, StatusCodes.Status400BadRequest, ex.Title, ex.Message);
            return;
        }
        finally
        {
            reader.AdvanceTo(read.Buffer.End);
            if (copy is not null)
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }

        using (request)
        {
            await InferCoreAsync(context, services, name, version, request, deadline);
        }
    }

    private static Task RefuseForMemoryAsync(HttpContext context, long bytes, RequestMemory memory)
    {
        // Refused before the model was resolved: the name from the path is not a known model, so it is not a tag.
        context.RequestServices.GetRequiredService<InferenceMetrics>().Shed("*", "memory");
        context.Response.Headers.RetryAfter = "1";
        return Problem(context, StatusCodes.Status503ServiceUnavailable, ProblemTitles.Overloaded,
            $"This worker holds {memory.Held} bytes of requests; {bytes} more would pass its budget of {memory.Budget} (Inference:MaxRequestBytes); retry after 1 s.");
    }

    private static async Task InferCoreAsync(
        HttpContext context, IServiceProvider services, string name, int? version, InferRequest request, long deadline)
    {
        var cancellationToken = context.RequestAborted;
        var resolver = services.GetRequiredService<ModelResolver>();
        var options = services.GetRequiredService<IOptions<InferenceOptions>>().Value;
        var metrics = services.GetRequiredService<InferenceMetrics>();
        var cache = services.GetRequiredService<PredictionCache>();

        ModelRecord? record;
        try
        {
            record = await resolver.ResolveAsync(name, version, cancellationToken);
        }
        catch (RegistryUnavailableException ex)
        {
            context.Response.Headers.RetryAfter = "1";
            await Problem(context, StatusCodes.Status503ServiceUnavailable, ProblemTitles.RegistryUnavailable, ex.Message);
            return;
        }

        if (record is null)
        {
            await NotFound(name, version).ExecuteAsync(context);
            return;
        }

        InputTensor[] inputs;
        bool[] outputs;
        bool[]? binary;
        try
        {
            (inputs, outputs) = InputBinder.Bind(record, record.MaxBatchSize ?? options.MaxBatchSize, request);
            binary = InputBinder.BinaryOutputs(record, request);
        }
        catch (BadRequestException ex)
        {
            await Problem(context, StatusCodes.Status400BadRequest, ex.Title, ex.Message);
            return;
        }

        string? cacheKey = null;
        if (request.UseCache && cache.Available)
        {
            cacheKey = PredictionCache.Key(record.Name, record.Version, PredictionKey.Compute(inputs, outputs, binary));
            var cached = await cache.GetAsync(cacheKey);
            metrics.Cache(record.Name, cached is not null);
            if (cached is not null && CachedOutputs.TryRead(cached, binary is not null, out var cachedJson, out var cachedBinary))
            {
                metrics.Request(record.Name);
                context.Response.Headers["Server-Timing"] = "cache;desc=hit";
                await WriteResponse(context, request.Id, record, cachedJson, cachedBinary, inferenceMs: 0, cached: true, batchSize: 0);
                return;
            }
        }

        var sessions = services.GetRequiredService<ModelSessions>();
        ModelLease lease;
        try
        {
            lease = await sessions.AcquireAsync(record, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            context.Response.Headers.RetryAfter = "1";
            await Problem(context, StatusCodes.Status503ServiceUnavailable, ProblemTitles.ModelUnavailable,
                $"Model '{record.Name}' v{record.Version} was deleted while this request was served; retry to use the current version.");
            return;
        }

        using (lease)
        {
            if (lease.LoadedNow)
            {
                metrics.Load(record.Name, lease.Model.LoadMs);
            }

            InferResult result;
            try
            {
                result = await lease.Model.InferAsync(inputs, outputs, binary, deadline, cancellationToken);
            }
            catch (OverloadedException ex)
            {
                metrics.Shed(record.Name, "overloaded");
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(ex.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Problem(context, StatusCodes.Status503ServiceUnavailable, ProblemTitles.Overloaded, ex.Message);
                return;
            }
            catch (DeadlineExceededException ex)
            {
                metrics.Shed(record.Name, "deadline");
                await Problem(context, StatusCodes.Status504GatewayTimeout, ProblemTitles.DeadlineExceeded, ex.Message);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The caller left while the request was queued: it was dropped unrun, and nobody is there to answer.
                metrics.Shed(record.Name, "abandoned");
                return;
            }
            catch (BadRequestException ex)
            {
                await Problem(context, StatusCodes.Status400BadRequest, ex.Title, ex.Message);
                return;
            }
            catch (ObjectDisposedException ex)
            {
                context.Response.Headers.RetryAfter = "1";
                await Problem(context, StatusCodes.Status503ServiceUnavailable, ProblemTitles.ModelUnloaded, ex.Message);
                return;
            }

            metrics.Request(record.Name);
            metrics.Run(record.Name, result.QueueMs, result.InferMs, result.BatchSize);
            if (cacheKey is not null)
            {
                cache.Set(cacheKey, CachedOutputs.Write(result.OutputsJson, result.Binary));
            }

            var timing = string.Create(CultureInfo.InvariantCulture,
                $"queue;dur={result.QueueMs:0.###}, cache;desc={(cacheKey is null ? "bypass" : "miss")}, infer;dur={result.InferMs:0.###}");
            if (lease.LoadedNow)
            {
                timing += string.Create(CultureInfo.InvariantCulture, $", load;dur={lease.Model.LoadMs:0.###}");
            }

            context.Response.Headers["Server-Timing"] = timing;
            // Not a conditional: there, null converts through byte[] to an empty, non-null ReadOnlyMemory, and a JSON-only
            // answer went out as binary tensor data.
            ReadOnlyMemory<byte>? binaryOutputs = null;
            if (result.Binary is { } bytes)
            {
                binaryOutputs = bytes;
            }

            await WriteResponse(context, request.Id, record, result.OutputsJson, binaryOutputs, result.InferMs, cached: false, result.BatchSize);
        }
    }

    private static async Task WriteResponse(
        HttpContext context, string? id, ModelRecord record, ReadOnlyMemory<byte> outputsJson, ReadOnlyMemory<byte>? binary, double inferenceMs, bool cached,
        int batchSize)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        if (binary is null)
        {
            context.Response.ContentType = "application/json";
            using var direct = new Utf8JsonWriter(context.Response.BodyWriter, new JsonWriterOptions { SkipValidation = true });
            WriteHeader(direct, id, record, outputsJson.Span, inferenceMs, cached, batchSize);
        }
        else
        {
            // Binary tensor data: the JSON part's length goes in a header, so it is written to a buffer first.
            var header = new ArrayBufferWriter<byte>(256 + outputsJson.Length);
            using (var writer = new Utf8JsonWriter(header, new JsonWriterOptions { SkipValidation = true }))
            {
                WriteHeader(writer, id, record, outputsJson.Span, inferenceMs, cached, batchSize);
            }

            context.Response.ContentType = "application/octet-stream";
            context.Response.Headers[BinaryHeader] = header.WrittenCount.ToString(CultureInfo.InvariantCulture);
            context.Response.ContentLength = header.WrittenCount + binary.Value.Length;
            context.Response.BodyWriter.Write(header.WrittenSpan);
            context.Response.BodyWriter.Write(binary.Value.Span);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static void WriteHeader(
        Utf8JsonWriter writer, string? id, ModelRecord record, ReadOnlySpan<byte> outputsJson, double inferenceMs, bool cached, int batchSize)
    {
        {
            writer.WriteStartObject();
            if (id is not null)
            {
                writer.WriteString(InferFields.Id, id);
            }

            writer.WriteString(InferFields.ModelName, record.Name);
            writer.WriteString(InferFields.ModelVersion, record.Version.ToString(CultureInfo.InvariantCulture));
            writer.WritePropertyName(InferFields.Outputs);
            writer.WriteRawValue(outputsJson, skipInputValidation: true);
            writer.WriteStartObject(InferFields.Parameters);
            writer.WriteNumber(InferFields.InferenceTimeMs, Math.Round(inferenceMs, 3));
            writer.WriteBoolean(InferFields.Cached, cached);
            if (!cached)
            {
                writer.WriteNumber(InferFields.BatchSize, batchSize);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        WorkerProblem.Create(status, title, detail).ExecuteAsync(context);
}
