using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace BenchPlatform.SandboxRunner.Runs;

/// <summary>Writes a <see cref="RunResult"/> as docs/api.md's run response, outputs copied through as raw JSON, with a <c>Server-Timing</c> header.</summary>
internal sealed class RunResultHttpResult(RunResult result) : IResult
{
    // A JSON API, never inlined into HTML: keep quotes and non-ASCII text readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public RunResult Result { get; } = result;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var timing = string.Create(CultureInfo.InvariantCulture, $"queue;dur={Result.Queue.TotalMilliseconds:0.###}, run;dur={Result.DurationMs:0.###}");
        if (!Result.Warm)
        {
            timing = string.Create(CultureInfo.InvariantCulture, $"cold;dur={Result.ColdStart.TotalMilliseconds:0.###}, {timing}");
        }

        response.Headers["Server-Timing"] = timing;
        await using var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("status"u8, Result.Status);
        writer.WritePropertyName("outputs"u8);
        if (Result.OutputsJson is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(Result.OutputsJson, skipInputValidation: true);
        }

        writer.WriteString("stdout"u8, Result.Stdout);
        writer.WriteString("stderr"u8, Result.Stderr);
        writer.WriteNumber("duration_ms"u8, Math.Round(Result.DurationMs, 3));
        writer.WriteString("start"u8, Result.Warm ? "warm"u8 : "cold"u8);
        if (Result.ErrorType is null)
        {
            writer.WriteNull("error"u8);
        }
        else
        {
            writer.WriteStartObject("error"u8);
            writer.WriteString("type"u8, Result.ErrorType);
            writer.WriteString("message"u8, Result.ErrorMessage);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted);
    }
}
