using System.Buffers;
using System.Text.Json;

namespace BenchPlatform.SandboxRunner.Apis;

/// <summary>Reads a JSON request body under a byte cap without trusting Content-Length or buffering past the cap.</summary>
internal static class RequestBody
{
    /// <summary>The parsed body, or a detail saying why it was refused.</summary>
    public static async Task<(JsonDocument? Document, string? Problem)> ReadJsonAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, $"The body is {request.ContentLength} bytes; the limit is {maxBytes}. Send smaller inputs, or register the code once with POST /v1/blocks.");
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes + 1L, request.ContentLength is > 0 and var n ? n + 1 : 16 << 10));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        return (null, $"The body is over the limit of {maxBytes} bytes. Send smaller inputs, or register the code once with POST /v1/blocks.");
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes + 1L, buffer.Length * 2L));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
                    buffer = bigger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBytes)
                {
                    return (null, $"The body is over the limit of {maxBytes} bytes. Send smaller inputs, or register the code once with POST /v1/blocks.");
                }
            }

            if (length == 0)
            {
                return (null, "The body is empty; send a JSON object.");
            }

            try
            {
                // The document keeps referring to the bytes it parsed, so it gets its own copy, not the pooled buffer.
                var document = JsonDocument.Parse(buffer.AsSpan(0, length).ToArray(), new JsonDocumentOptions { MaxDepth = 256 });
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    document.Dispose();
                    return (null, "The body must be a JSON object.");
                }

                return (document, null);
            }
            catch (JsonException ex)
            {
                return (null, $"The body is not valid JSON: {ex.Message}");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }
}
