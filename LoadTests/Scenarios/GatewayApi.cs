using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BenchPlatform.LoadTests.Cli;
using BenchPlatform.Protocol.Inference;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>
/// The setup calls scenarios make through the public API (docs/api.md): models, scale, warm-up. A 503 with <c>Retry-After</c>
/// (a replica restarting, a health probe missed on a busy machine) is waited out and retried, for up to
/// <c>retryBudget</c> (default 30 s) per call; any other refusal fails the scenario at once.
/// </summary>
public sealed class GatewayApi
{
    private readonly HttpClient _http;
    private readonly Uri _target;
    private readonly TimeSpan _retryBudget;

    public GatewayApi(HttpMessageHandler handler, Uri target, string? apiKey, TimeSpan timeout, TimeSpan? retryBudget = null)
    {
        _retryBudget = retryBudget ?? TimeSpan.FromSeconds(30);
        _http = new HttpClient(handler, disposeHandler: false) { Timeout = timeout };
        if (apiKey is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        _target = target;
    }

    public Uri Url(string path) => new(_target, path);

    /// <summary>The model's inputs from <c>GET /v2/models/{name}</c>.</summary>
    public async Task<IReadOnlyList<ModelInput>> GetInputsAsync(string model, CancellationToken cancellationToken)
    {
        using var document = await GetJsonAsync($"/v2/models/{Uri.EscapeDataString(model)}", cancellationToken).ConfigureAwait(false);
        var inputs = new List<ModelInput>();
        if (!document.RootElement.TryGetProperty(InferFields.Inputs.EncodedUtf8Bytes, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new ScenarioFailedException($"GET /v2/models/{model} returned no 'inputs' array.");
        }

        foreach (var input in array.EnumerateArray())
        {
            var shape = new List<long>();
            foreach (var dim in input.GetProperty(InferFields.Shape.EncodedUtf8Bytes).EnumerateArray())
            {
                shape.Add(dim.GetInt64());
            }

            inputs.Add(new ModelInput(input.GetProperty(InferFields.Name.EncodedUtf8Bytes).GetString()!, input.GetProperty(InferFields.Datatype.EncodedUtf8Bytes).GetString()!, [.. shape]));
        }

        return inputs;
    }

    /// <summary>Names and kinds (<c>onnx</c>, <c>llm</c>) of the models the target serves.</summary>
    public async Task<List<(string Name, string Kind)>> ListModelsAsync(CancellationToken cancellationToken)
    {
        using var document = await GetJsonAsync("/v1/models", cancellationToken).ConfigureAwait(false);
        var models = new List<(string, string)>();
        foreach (var model in document.RootElement.GetProperty("data").EnumerateArray())
        {
            var kind = model.TryGetProperty("kind", out var k) ? k.GetString() ?? "onnx" : "onnx";
            models.Add((model.GetProperty("id").GetString()!, kind));
        }

        return models;
    }

    /// <summary>Uploads ONNX bytes as a model (<c>POST /v1/models?name=</c>).</summary>
    public async Task UploadModelAsync(string name, byte[] onnx, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"/v1/models?name={Uri.EscapeDataString(name)}", () =>
        {
            var content = new ByteArrayContent(onnx);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            return content;
        }, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, $"POST /v1/models?name={name}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loads the model on the ready replicas (<c>POST /v1/models/{name}/warmup</c>).</summary>
    public async Task WarmupModelAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"/v1/models/{Uri.EscapeDataString(name)}/warmup", null, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, $"POST /v1/models/{name}/warmup", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The inference replicas (<c>GET /v1/scale</c>).</summary>
    public async Task<ScaleState> GetScaleAsync(CancellationToken cancellationToken)
    {
        using var document = await GetJsonAsync("/v1/scale", cancellationToken).ConfigureAwait(false);
        var inference = document.RootElement.GetProperty("inference");
        static int Read(JsonElement element, string name) => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : 0;
        return new ScaleState(Read(inference, "ready"), Read(inference, "desired"), Read(inference, "min"), Read(inference, "max"), Read(inference, "inflight"));
    }

    /// <summary>Sets the inference bounds (<c>PUT /v1/scale/inference</c>).</summary>
    public async Task SetScaleAsync(int min, int max, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Put, "/v1/scale/inference",
            () => new StringContent($"{{\"min\":{min},\"max\":{max}}}", Encoding.UTF8, "application/json"), cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, "PUT /v1/scale/inference", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>POSTs JSON and returns the parsed answer (blocks, completions outside the measured path).</summary>
    public async Task<JsonDocument> PostJsonAsync(string path, byte[] body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, path, () =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return content;
        }, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, "POST " + path, cancellationToken).ConfigureAwait(false);
        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), default, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonDocument> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new ScenarioFailedException($"GET {path} on {_target} failed: {ex.Message}. Is the gateway running?");
        }

        using (response)
        {
            await EnsureAsync(response, "GET " + path, cancellationToken).ConfigureAwait(false);
            return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), default, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends one call; a 503 with <c>Retry-After</c> is retried after that delay while the retry budget lasts.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Func<HttpContent>? content, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            using var request = new HttpRequestMessage(method, Url(path)) { Content = content?.Invoke() };
            var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable
                || response.Headers.RetryAfter?.Delta is not { } delay
                || Stopwatch.GetElapsedTime(started) + delay > _retryBudget)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string call, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var detail = body;
        try
        {
            using var problem = JsonDocument.Parse(body);
            if (problem.RootElement.TryGetProperty("detail", out var d))
            {
                detail = d.GetString() ?? body;
            }
        }
        catch (JsonException)
        {
        }

        throw new ScenarioFailedException($"{call} returned {(int)response.StatusCode}: {(detail.Length > 300 ? detail[..300] : detail)}");
    }
}
