using System.Runtime.InteropServices;
using System.Text.Json;
using BenchPlatform.Protocol.Problems;
using BenchPlatform.SandboxRunner.Pool;
using BenchPlatform.SandboxRunner.Registry;
using BenchPlatform.SandboxRunner.Runs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BenchPlatform.SandboxRunner.Apis;

/// <summary>
/// <c>POST /v1/blocks/run</c> (ad-hoc code), <c>POST /v1/blocks</c> (register), <c>GET /v1/blocks/{name}</c> and
/// <c>POST /v1/blocks/{name}/run</c> (by name or sha256), as docs/api.md describes them.
/// </summary>
public static class BlocksApi
{
    private const string RetryAfterSeconds = "1";

    /// <summary>Maps the block endpoints.</summary>
    public static IEndpointRouteBuilder MapBlocksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/blocks");
        api.MapPost("/run", RunAdHocAsync);
        api.MapPost("/", RegisterAsync);
        api.MapGet("/{name}", GetAsync);
        api.MapPost("/{name}/run", RunNamedAsync);
        return app;
    }

    private static async Task<IResult> RunAdHocAsync(HttpContext context, BlockRunner runner, IOptions<SandboxOptions> options)
    {
        var (document, problem) = await RequestBody.ReadJsonAsync(context.Request, options.Value.MaxRequestBytes, context.RequestAborted);
        if (document is null)
        {
            return BadRequest(problem!);
        }

        using (document)
        {
            var root = document.RootElement;
            problem = RunRequestParser.ReadSource(root, options.Value, out var source);
            if (problem is not null)
            {
                return BadRequest(problem);
            }

            problem = RunRequestParser.ReadRunParameters(root, options.Value, out var inputs, out var timeoutMs, out var memoryMb);
            if (problem is not null)
            {
                return BadRequest(problem);
            }

            var spec = new RunSpec(
                JsonMarshal.GetRawUtf8Value(source.Code).ToArray(),
                source.Entrypoint.ValueKind == JsonValueKind.String ? JsonMarshal.GetRawUtf8Value(source.Entrypoint).ToArray() : default,
                inputs, timeoutMs, memoryMb);
            return await RunAsync(runner, spec, context.RequestAborted);
        }
    }

    private static async Task<IResult> RegisterAsync(HttpContext context, BlockRegistry registry, IOptions<SandboxOptions> options)
    {
        if (!registry.IsConfigured)
        {
            return RegistryUnavailable();
        }

        var (document, problem) = await RequestBody.ReadJsonAsync(context.Request, options.Value.MaxRequestBytes, context.RequestAborted);
        if (document is null)
        {
            return BadRequest(problem!);
        }

        using (document)
        {
            var root = document.RootElement;
            if (!root.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String
                || !RunRequestParser.IsValidBlockName(nameElement.GetString()!))
            {
                return BadRequest("'name' is required: 1 to 128 letters, digits, '_', '-' or '.', starting with a letter or digit.");
            }

            problem = RunRequestParser.ReadSource(root, options.Value, out var source);
            if (problem is not null)
            {
                return BadRequest(problem);
            }

            var entrypoint = source.Entrypoint.ValueKind == JsonValueKind.String ? source.Entrypoint.GetString()! : "run";
            try
            {
                var block = await registry.UpsertAsync(nameElement.GetString()!, source.Language, entrypoint, source.Code.GetString()!, context.RequestAborted);
                return TypedResults.Created($"/v1/blocks/{block.Name}", new BlockCreated(block.Name, block.Sha256));
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
            {
                return RegistryUnavailable();
            }
        }
    }

    private static async Task<IResult> GetAsync(string name, BlockRegistry registry, CancellationToken cancellationToken)
    {
        if (!registry.IsConfigured)
        {
            return RegistryUnavailable();
        }

        try
        {
            var block = await registry.FindAsync(name, cancellationToken);
            return block is null
                ? NotFound(name)
                : TypedResults.Ok(new BlockInfo(block.Name, block.Language, block.Entrypoint, block.Sha256, block.Code, block.CreatedAt));
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
        {
            return RegistryUnavailable();
        }
    }

    private static async Task<IResult> RunNamedAsync(string name, HttpContext context, BlockRunner runner, BlockRegistry registry, IOptions<SandboxOptions> options)
    {
        if (!registry.IsConfigured)
        {
            return RegistryUnavailable();
        }

        var (document, problem) = await RequestBody.ReadJsonAsync(context.Request, options.Value.MaxRequestBytes, context.RequestAborted);
        if (document is null)
        {
            return BadRequest(problem!);
        }

        using (document)
        {
            problem = RunRequestParser.ReadRunParameters(document.RootElement, options.Value, out var inputs, out var timeoutMs, out var memoryMb);
            if (problem is not null)
            {
                return BadRequest(problem);
            }

            StoredBlock? block;
            try
            {
                block = await registry.FindAsync(name, context.RequestAborted);
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
            {
                return RegistryUnavailable();
            }

            if (block is null)
            {
                return NotFound(name);
            }

            return await RunAsync(runner, new RunSpec(block.CodeJson, block.EntrypointJson, inputs, timeoutMs, memoryMb), context.RequestAborted);
        }
    }

    private static async Task<IResult> RunAsync(BlockRunner runner, RunSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            return new RunResultHttpResult(await runner.RunAsync(spec, cancellationToken));
        }
        catch (PoolExhaustedException ex)
        {
            return new RetryAfterResult(Problem(
                StatusCodes.Status503ServiceUnavailable, ProblemTitles.NoJailFree, $"{ex.Message} Retry after {RetryAfterSeconds} s."));
        }
    }

    private static ProblemHttpResult BadRequest(string detail) =>
        Problem(StatusCodes.Status400BadRequest, ProblemTitles.InvalidBlockRequest, detail);

    private static ProblemHttpResult NotFound(string name) =>
        Problem(StatusCodes.Status404NotFound, ProblemTitles.UnknownBlock, $"No block is registered as '{name}' (by name or sha256); register it with POST /v1/blocks.");

    private static RetryAfterResult RegistryUnavailable() =>
        new(Problem(
            StatusCodes.Status503ServiceUnavailable,
            ProblemTitles.BlockRegistryUnavailable,
            "The registry database is not configured or not answering (ConnectionStrings__registry); ad-hoc runs with POST /v1/blocks/run still work."));

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: status, type: ProblemTypes.Of(title));

    private sealed class RetryAfterResult(ProblemHttpResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
