using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// Forwards a completion request to an OpenAI-compatible upstream engine with the model renamed to the
/// upstream's, and streams its answer back unchanged (status, content type, body chunk by chunk), adding
/// <c>upstream;dur</c> (time to the upstream's headers) to <c>Server-Timing</c>.
/// </summary>
internal sealed class UpstreamProxy(TimeProvider time) : IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), ConnectTimeout = TimeSpan.FromSeconds(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task ForwardAsync(HttpContext context, UpstreamLlm upstream, byte[] body, bool chat)
    {
        var node = JsonNode.Parse(body)!.AsObject();
        node["model"] = upstream.Model;
        using var request = new HttpRequestMessage(HttpMethod.Post, upstream.BaseUrl + (chat ? "/chat/completions" : "/completions"))
        {
            Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(node.ToJsonString())),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (upstream.ApiKey is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        var started = time.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            throw new LlmRequestException(StatusCodes.Status503ServiceUnavailable, ProblemTitles.UpstreamUnavailable,
                $"The upstream engine of model '{upstream.Name}' at {upstream.BaseUrl} did not answer: {e.Message}", 5);
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } contentType)
            {
                context.Response.ContentType = contentType.ToString();
            }

            if (response.Headers.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter.ToString();
            }

            var timing = $"upstream;dur={time.GetElapsedTime(started).TotalMilliseconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}";
            context.Response.Headers["Server-Timing"] = response.Headers.TryGetValues("Server-Timing", out var inner)
                ? $"{timing}, {string.Join(", ", inner)}"
                : timing;
            await using var stream = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer, context.RequestAborted)) > 0)
                {
                    await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public void Dispose() => _client.Dispose();
}
