using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using BenchPlatform.InferenceWorker.Management;
using BenchPlatform.InferenceWorker.Registry;
using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// The OpenAI-compatible text generation API: <c>/v1/completions</c> and <c>/v1/chat/completions</c> (JSON or
/// server-sent events ending in <c>data: [DONE]</c>), the <c>strategy</c> extension, LLM upload as a zip
/// (<c>POST /v1/llm/models?name=</c>) and the scheduler's state (<c>GET /v1/llm/stats</c>).
/// </summary>
public static partial class OpenAiApi
{
    private const int MaxBodyBytes = 4 << 20;
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    /// <summary>Maps the completion endpoints, the LLM upload and the stats.</summary>
    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/completions", context => HandleAsync(context, chat: false));
        app.MapPost("/v1/chat/completions", context => HandleAsync(context, chat: true));
        app.MapPost("/v1/llm/models", UploadAsync);
        app.MapGet("/v1/llm/stats", StatsAsync);
        return app;
    }

    private static async Task HandleAsync(HttpContext context, bool chat)
    {
        var services = context.RequestServices;
        var time = services.GetRequiredService<TimeProvider>();
        var started = time.GetTimestamp();
        try
        {
            var body = await ReadBodyAsync(context);
            var request = CompletionRequest.Parse(body, chat);
            var catalog = services.GetRequiredService<LlmCatalog>();
            if (catalog.TryGetUpstream(request.Model, out var upstream))
            {
                await services.GetRequiredService<UpstreamProxy>().ForwardAsync(context, upstream, body, chat);
                return;
            }

            if (!catalog.TryGetLocal(request.Model, out var model)
                && (model = (await services.GetRequiredService<RegisteredLlms>().TryLoadAsync(request.Model, context.RequestAborted))!) is null)
            {
                throw await UnknownModelAsync(services, request.Model, context.RequestAborted);
            }

            await GenerateAsync(context, model, request, chat, time, started);
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

    private static async Task GenerateAsync(HttpContext context, LocalLlm model, CompletionRequest request, bool chat, TimeProvider time, long started)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<LlmOptions>>().Value;
        var prompt = Tokenize(model, request, chat);
        var contextLength = model.Config.ContextLength;
        if (prompt.Length >= contextLength)
        {
            throw Bad("Prompt too long", $"The prompt is {prompt.Length} tokens; model '{model.Name}' has a context of {contextLength} tokens ({model.Config.ContextSource}). Shorten the prompt to at most {contextLength - 1} tokens.");
        }

        var maxTokens = request.MaxTokens ?? (chat ? Math.Min(256, contextLength - prompt.Length) : Math.Min(16, contextLength - prompt.Length));
        if (maxTokens > options.MaxOutputTokens)
        {
            throw Bad("Invalid max_tokens", $"max_tokens is {maxTokens}; this worker allows at most {options.MaxOutputTokens} (Llm:MaxOutputTokens).");
        }

        if (prompt.Length + maxTokens > contextLength)
        {
            throw Bad("Invalid max_tokens", $"The prompt ({prompt.Length} tokens) plus max_tokens ({maxTokens}) exceeds model '{model.Name}''s context of {contextLength} tokens; set max_tokens to at most {contextLength - prompt.Length}.");
        }

        var plan = Strategy.Plan(request, model.Config);
        var channel = Channel.CreateUnbounded<GeneratedToken>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
        var coalescing = request.Stream && options.StreamIntervalMs > 0 ? new EndSignalingWriter(channel.Writer, everyToken: request.Stop.Length > 0) : null;
        var output = coalescing ?? (ChannelWriter<GeneratedToken>)channel.Writer;
        var sequences = new Sequence[plan.Length];
        try
        {
            for (var i = 0; i < plan.Length; i++)
            {
                sequences[i] = new Sequence(i, prompt, maxTokens, plan[i], output, context.RequestAborted);
                switch (model.Engine.Submit(sequences[i]))
                {
                    case SubmitResult.QueueFull:
                        throw new LlmRequestException(StatusCodes.Status429TooManyRequests, "Too many requests",
                            $"Model '{model.Name}' has {options.MaxWaiting} requests waiting (Llm:MaxWaiting); retry after {options.RetryAfterSeconds} s.", options.RetryAfterSeconds);
                    case SubmitResult.TooLarge:
                        throw Bad("Request too large", $"prompt ({prompt.Length}) + max_tokens ({maxTokens}) = {prompt.Length + maxTokens} KV positions exceeds the KV budget of {options.KvBudgetTokens} (Llm:KvBudgetTokens); lower max_tokens.");
                }
            }

            var interval = coalescing is null ? TimeSpan.Zero : TimeSpan.FromMilliseconds(options.StreamIntervalMs);
            await RunAsync(context, model, request, chat, sequences, channel.Reader, coalescing, interval, time, started);
        }
        finally
        {
            foreach (var sequence in sequences)
            {
                sequence?.Stop();
            }
        }
    }

    // Reads the sequences' tokens. Streamed, chunks are written as tokens are read and sent when no further token is
    // ready: one write per step of the loop when the stream keeps up, fewer when it falls behind (n > 1, a slow client).
    // With a stream interval (coalescing not null), a choice's first text and its end are written at once; the text of
    // the tokens between waits until the interval since the last write has passed (or a sequence ends) and leaves as
    // one chunk per choice; the reader meanwhile waits on the interval, not on each token.
    private static async Task RunAsync(HttpContext context, LocalLlm model, CompletionRequest request, bool chat, Sequence[] sequences,
        ChannelReader<GeneratedToken> reader, EndSignalingWriter? coalescing, TimeSpan interval, TimeProvider time, long started)
    {
        var count = sequences.Length;
        var texts = new ChoiceText[count];
        var finishes = new FinishReason?[count];
        for (var i = 0; i < count; i++)
        {
            texts[i] = new ChoiceText(model.Tokenizer, request.Stop, request.Stream);
        }

        var eos = model.Config.EosTokenIds;
        var id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        var sse = request.Stream ? new SseWriter(context.Response.BodyWriter, id, created, model.Name, chat) : null;
        long firstToken = 0;
        var done = 0;
        var aborted = context.RequestAborted;
        var unsent = false;
        var held = false;
        long lastWrite = 0; // set with the first token
        var sentText = coalescing is null ? null : new bool[count];
        while (done < count)
        {
            if (!reader.TryRead(out var e))
            {
                var wait = held ? interval - time.GetElapsedTime(lastWrite) : TimeSpan.Zero;
                var due = held && wait <= TimeSpan.Zero;
                if (unsent || due)
                {
                    if (due)
                    {
                        WriteHeld(sse!, texts, finishes);
                        held = false;
                    }

                    await sse!.FlushAsync(aborted);
                    unsent = false;
                    lastWrite = time.GetTimestamp();
                    continue;
                }

                if (held)
                {
                    await coalescing!.WaitForEndAsync(wait, aborted);
                    continue;
                }

                e = await reader.ReadAsync(aborted);
            }

            if (finishes[e.Index] is not null)
            {
                continue;
            }

            if (e.Error is not null)
            {
                throw e.Error is EngineOverloadedException
                    ? new LlmRequestException(StatusCodes.Status503ServiceUnavailable, ProblemTitles.Overloaded, e.Error.Message, 1)
                    : new LlmRequestException(StatusCodes.Status503ServiceUnavailable, "Generation failed", $"Model '{model.Name}' failed a generation step: {e.Error.Message}", 1);
            }

            var text = texts[e.Index];
            if (e.TokenId >= 0)
            {
                if (firstToken == 0)
                {
                    firstToken = time.GetTimestamp();
                    lastWrite = firstToken;
                    if (sse is not null)
                    {
                        context.Response.Headers.ContentType = "text/event-stream";
                        context.Response.Headers.CacheControl = "no-cache";
                        context.Response.Headers["Server-Timing"] = ServerTiming(time, sequences, started, firstToken, null, 0);
                        await context.Response.StartAsync(aborted);
                        if (chat)
                        {
                            for (var i = 0; i < count; i++)
                            {
                                sse.WriteChunk(i, "", null, role: true);
                            }

                            unsent = true;
                        }
                    }
                }

                text.Add(e.TokenId, e.LogProb, e.Finish == FinishReason.Stop && Array.IndexOf(eos, e.TokenId) >= 0);
                if (text.Stopped)
                {
                    sequences[e.Index].Stop();
                }
            }

            FinishReason? finish = text.Stopped ? FinishReason.Stop : e.Finish;
            if (finish is not null)
            {
                finishes[e.Index] = finish;
                done++;
                var rest = text.Flush();
                if (sse is not null)
                {
                    sse.WriteChunk(e.Index, rest, finish, role: false);
                    unsent = true;
                }
            }
            else if (sse is not null && text.HasReady)
            {
                if (sentText is null || !sentText[e.Index])
                {
                    sse.WriteChunk(e.Index, text.TakeReady(), null, role: false);
                    unsent = true;
                    if (sentText is not null)
                    {
                        sentText[e.Index] = true;
                    }
                }
                else
                {
                    held = true;
                }
            }
        }

        var usage = new Usage(sequences[0].PromptLength * count, Sum(texts));
        var finished = time.GetTimestamp();
        var metrics = new Metrics(
            QueueMs(time, sequences), time.GetElapsedTime(started, firstToken == 0 ? finished : firstToken).TotalMilliseconds,
            time.GetElapsedTime(started, finished).TotalMilliseconds, usage.Completion);
        context.RequestServices.GetRequiredService<LlmMetrics>().Completion(model.Name, usage.Prompt, usage.Completion, metrics.TtftMs);
        if (sse is not null)
        {
            // The last chunk, usage and [DONE] leave in one write.
            sse.WriteUsage(usage, metrics);
            context.Response.BodyWriter.Write(Done);
            await sse.FlushAsync(aborted);
            return;
        }

        var chosen = Strategy.Chooses(request.Strategy) ? Best(texts) : -1;
        context.Response.Headers["Server-Timing"] = ServerTiming(time, sequences, started, firstToken == 0 ? finished : firstToken, metrics, usage.Completion);
        context.Response.ContentType = "application/json";
        using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("object", chat ? "chat.completion" : "text_completion");
        json.WriteNumber("created", created);
        json.WriteString("model", model.Name);
        json.WriteStartArray("choices");
        for (var i = 0; i < count; i++)
        {
            if (chosen >= 0 && i != chosen)
            {
                continue;
            }

            json.WriteStartObject();
            json.WriteNumber("index", chosen >= 0 ? 0 : i);
            if (chat)
            {
                json.WriteStartObject("message");
                json.WriteString("role", "assistant");
                json.WriteString("content", texts[i].Text);
                json.WriteEndObject();
            }
            else
            {
                json.WriteString("text", texts[i].Text);
            }

            json.WriteNull("logprobs");
            json.WriteString("finish_reason", FinishName(finishes[i]!.Value));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteUsage(json, usage, metrics);
        if (chosen >= 0)
        {
            json.WriteStartObject("strategy");
            json.WriteString("name", request.Strategy);
            json.WriteString("score", "mean_token_logprob");
            json.WriteNumber("chosen", chosen);
            json.WriteStartArray("samples");
            for (var i = 0; i < count; i++)
            {
                json.WriteStartObject();
                json.WriteNumber("temperature", sequences[i].Sampling.Temperature);
                json.WriteNumber("score", Score(texts[i]));
                json.WriteNumber("tokens", texts[i].TokenCount);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndObject();
        await json.FlushAsync(aborted);
    }

    // One chunk per unfinished choice whose text waited for the stream interval.
    private static void WriteHeld(SseWriter sse, ChoiceText[] texts, FinishReason?[] finishes)
    {
        for (var i = 0; i < texts.Length; i++)
        {
            if (finishes[i] is null && texts[i].HasReady)
            {
                sse.WriteChunk(i, texts[i].TakeReady(), null, role: false);
            }
        }
    }

    private static int[] Tokenize(LocalLlm model, CompletionRequest request, bool chat)
    {
        if (request.PromptTokens is { } ids)
        {
            var vocab = model.Engine.Decoder.VocabSize;
            foreach (var token in ids)
            {
                if ((uint)token >= (uint)vocab)
                {
                    throw Bad("Invalid prompt", $"Token id {token} is outside model '{model.Name}''s vocabulary of {vocab}.");
                }
            }

            return ids;
        }

        string text;
        if (chat)
        {
            var messages = request.Messages!;
            if (messages.All(m => m.Content.Length == 0))
            {
                throw Bad("Empty prompt", "Every message's content is empty; send some text.");
            }

            text = ChatPrompt.Render(request.Strategy == "reread" ? ChatPrompt.Reread(messages) : messages, model.Tokenizer, model.Template);
        }
        else
        {
            text = request.Prompt ?? "";
            if (text.Length == 0)
            {
                throw Bad("Empty prompt", "prompt is empty; send the text to complete.");
            }

            text = request.Strategy == "reread" ? Strategy.Reread(text) : text;
        }

        var tokens = model.Tokenizer.EncodePrompt(text);
        return tokens.Length > 0 ? tokens : throw Bad("Empty prompt", "The prompt encodes to no tokens; send some text.");
    }

    private static async Task<LlmRequestException> UnknownModelAsync(IServiceProvider services, string name, CancellationToken cancellationToken)
    {
        if (services.GetService<ModelResolver>() is { } resolver)
        {
            try
            {
                if (await resolver.ResolveAsync(name, null, cancellationToken) is not null)
                {
                    return Bad("Not a language model", $"Model '{name}' is an ONNX model, not an LLM; call POST /v2/models/{name}/infer, or pick a model with kind \"llm\" from GET /v1/models.");
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The registry is unreachable: the name is at least not a served LLM.
            }
        }

        return new LlmRequestException(StatusCodes.Status404NotFound, "Unknown model", $"No LLM named '{name}' is served here; GET /v1/models lists the models with kind \"llm\".");
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

    private static async Task UploadAsync(HttpContext context, LlmCatalog catalog, LlmRegistry registry, IOptions<StorageOptions> storage, string? name)
    {
        if (ModelNames.Check(name) is { } problem)
        {
            await WriteProblemAsync(context, StatusCodes.Status400BadRequest, "Invalid model name", problem, null);
            return;
        }

        if (catalog.Contains(name!))
        {
            await WriteProblemAsync(context, StatusCodes.Status409Conflict, "Model exists", $"An LLM named '{name}' is already served; pick another name.", null);
            return;
        }

        var root = Path.GetFullPath(Path.Combine(storage.Value.Root, "llm"));
        var staging = Path.Combine(root, $".upload-{Guid.NewGuid():N}");
        var target = Path.Combine(root, name!);
        try
        {
            // The body goes to disk (a GGUF is gigabytes), then is told apart by its first bytes: GGUF magic or a zip.
            Directory.CreateDirectory(staging);
            var body = Path.Combine(staging, "upload.bin");
            await using (var file = File.Create(body))
            {
                await context.Request.Body.CopyToAsync(file, context.RequestAborted);
            }

            var folder = Path.Combine(staging, "model");
            Directory.CreateDirectory(folder);
            var gguf = StartsWithGgufMagic(body);
            if (gguf)
            {
                File.Copy(body, Path.Combine(folder, "model.gguf"));
            }
            else
            {
                try
                {
                    await ZipFile.ExtractToDirectoryAsync(body, folder, overwriteFiles: false, context.RequestAborted);
                }
                catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
                {
                    throw Bad("Invalid model upload", "The body must be a .gguf file or a zip of an ONNX model folder (model.onnx, tokenizer.json, config.json); it is neither: " + Redact(e.Message, root));
                }

                // A zip of the folder itself (one top-level directory) is accepted as well as a zip of its contents.
                if (Directory.GetFiles(folder).Length == 0 && Directory.GetDirectories(folder) is [var only])
                {
                    folder = only;
                }
            }

            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            Directory.Move(folder, target);
            LocalLlm model;
            try
            {
                model = catalog.LoadLocal(name!, target);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or JsonException)
            {
                Directory.Delete(target, recursive: true);
                throw Bad("Invalid model", Redact(e.Message, root));
            }

            // Recorded once it loaded here, so other replicas (now and after restarts) serve it too. With the registry
            // unreachable it is still served here; the answer says it was not registered.
            LlmRegistration? registration = null;
            try
            {
                registration = await registry.RecordAsync(name!, body, gguf ? LlmRegistration.Gguf : LlmRegistration.Zip, context.RequestAborted);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or IOException)
            {
                registration = null;
            }

            context.Response.StatusCode = StatusCodes.Status201Created;
            context.Response.ContentType = "application/json";
            using var json = new Utf8JsonWriter(context.Response.BodyWriter);
            json.WriteStartObject();
            json.WriteString("id", model.Name);
            json.WriteString("object", "model");
            json.WriteString("kind", "llm");
            json.WriteString("engine", model.Engine.Decoder.EngineName);
            json.WriteNumber("context_length", model.Config.ContextLength);
            json.WriteNumber("vocab_size", model.Engine.Decoder.VocabSize);
            json.WriteNumber("layers", model.Engine.Decoder.Layers);
            json.WriteBoolean("registered", registration is not null);
            json.WriteEndObject();
            await json.FlushAsync(context.RequestAborted);
        }
        catch (LlmRequestException e)
        {
            await WriteProblemAsync(context, e.Status, e.Title, e.Message, null);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static bool StartsWithGgufMagic(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("GGUF"u8);
    }

    // Error details never name a server folder: paths under the LLM state folder become paths inside the upload.
    private static string Redact(string message, string root)
    {
        var text = message;
        var at = text.IndexOf(root, StringComparison.Ordinal);
        while (at >= 0)
        {
            // Drop the root, the upload's folder name and the separator after it.
            var end = at + root.Length;
            if (end < text.Length && text[end] == Path.DirectorySeparatorChar)
            {
                var next = text.IndexOf(Path.DirectorySeparatorChar, end + 1);
                var space = text.IndexOfAny([' ', ':', '\'', ','], end + 1);
                end = next >= 0 && (space < 0 || next < space) ? next + 1 : (space >= 0 ? space : text.Length);
            }

            text = string.Concat(text.AsSpan(0, at), text.AsSpan(end));
            at = text.IndexOf(root, StringComparison.Ordinal);
        }

        return text.Length == 0 ? "the upload is not a model" : text;
    }

    private static async Task StatsAsync(HttpContext context, LlmCatalog catalog, IOptions<LlmOptions> options)
    {
        context.Response.ContentType = "application/json";
        using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteStartObject("models");
        foreach (var model in catalog.Local)
        {
            var engine = model.Engine;
            json.WriteStartObject(model.Name);
            json.WriteNumber("active", engine.ActiveSequences);
            json.WriteNumber("waiting", engine.WaitingSequences);
            json.WriteNumber("kv_tokens_reserved", engine.KvTokensReserved);
            json.WriteNumber("kv_budget_tokens", options.Value.KvBudgetTokens);
            json.WriteNumber("max_batch", options.Value.MaxBatch);
            json.WriteNumber("steps", engine.Steps);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    internal static async Task WriteProblemAsync(HttpContext context, int status, string title, string detail, int? retryAfter)
    {
        if (retryAfter is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        await WorkerProblem.Create(status, title, detail).ExecuteAsync(context);
    }

    private static string ServerTiming(TimeProvider time, Sequence[] sequences, long started, long firstToken, Metrics? metrics, int tokens)
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"queue;dur={QueueMs(time, sequences):0.###}, ttft;dur={time.GetElapsedTime(started, firstToken).TotalMilliseconds:0.###}");
        if (metrics is { } m)
        {
            builder.Append(CultureInfo.InvariantCulture, $", gen;dur={m.TotalMs:0.###};desc=\"tokens={tokens} tokens_per_s={m.TokensPerSecond:0.#}\"");
        }

        return builder.ToString();
    }

    private static double QueueMs(TimeProvider time, Sequence[] sequences)
    {
        var queue = double.MaxValue;
        foreach (var sequence in sequences)
        {
            if (sequence.AdmittedAt != 0)
            {
                queue = Math.Min(queue, time.GetElapsedTime(sequence.EnqueuedAt, sequence.AdmittedAt).TotalMilliseconds);
            }
        }

        return queue == double.MaxValue ? 0 : queue;
    }

    private static int Sum(ChoiceText[] texts)
    {
        var total = 0;
        foreach (var text in texts)
        {
            total += text.TokenCount;
        }

        return total;
    }

    private static double Score(ChoiceText text) => text.TokenCount == 0 ? double.NegativeInfinity : text.LogProbSum / text.TokenCount;

    private static int Best(ChoiceText[] texts)
    {
        var best = 0;
        for (var i = 1; i < texts.Length; i++)
        {
            if (Score(texts[i]) > Score(texts[best]))
            {
                best = i;
            }
        }

        return best;
    }

    internal static string FinishName(FinishReason finish) => finish == FinishReason.Length ? "length" : "stop";

    internal static void WriteUsage(Utf8JsonWriter json, Usage usage, Metrics metrics)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", usage.Prompt);
        json.WriteNumber("completion_tokens", usage.Completion);
        json.WriteNumber("total_tokens", usage.Prompt + usage.Completion);
        json.WriteEndObject();
        json.WriteStartObject("metrics");
        json.WriteNumber("queue_ms", Math.Round(metrics.QueueMs, 3));
        json.WriteNumber("ttft_ms", Math.Round(metrics.TtftMs, 3));
        json.WriteNumber("total_ms", Math.Round(metrics.TotalMs, 3));
        json.WriteNumber("tokens_per_second", Math.Round(metrics.TokensPerSecond, 1));
        json.WriteEndObject();
    }

    private static LlmRequestException Bad(string title, string detail) => new(StatusCodes.Status400BadRequest, title, detail);
}
