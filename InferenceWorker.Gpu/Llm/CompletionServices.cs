using BenchPlatform.InferenceWorker.Registry;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>What the completion endpoints use, injected as one <c>[AsParameters]</c> argument.</summary>
internal sealed record CompletionServices(
    TimeProvider Time,
    LlmCatalog Catalog,
    RegisteredLlms Registered,
    UpstreamProxy Upstream,
    LlmMetrics Metrics,
    IOptions<LlmOptions> Options,
    [FromServices] ModelResolver? Resolver);
