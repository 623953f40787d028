using System.Text.Json;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// The JSON of an answer that does not stream (<c>text_completion</c> or <c>chat.completion</c>, with the <c>strategy</c>
/// object when the strategy chose one sample), and the parts a stream's chunks share with it.
/// </summary>
internal static class CompletionJson
{
    /// <summary>Writes the whole answer: every choice, or only the chosen one, then usage and metrics.</summary>
    public static void WriteAnswer(Utf8JsonWriter json, CompletionRun run, Usage usage, Metrics metrics)
    {
        var texts = run.Texts;
        var chosen = run.Request.Strategy.Chooses() ? Strategy.Best(texts) : -1;
        json.WriteStartObject();
        json.WriteString("id", run.Id);
        json.WriteString("object", run.Chat ? "chat.completion" : "text_completion");
        json.WriteNumber("created", run.Created);
        json.WriteString("model", run.Model.Name);
        json.WriteStartArray("choices");
        for (var i = 0; i < texts.Length; i++)
        {
            if (chosen >= 0 && i != chosen)
            {
                continue;
            }

            json.WriteStartObject();
            json.WriteNumber("index", chosen >= 0 ? 0 : i);
            if (run.Chat)
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
            json.WriteString("finish_reason", FinishName(run.Finishes[i]!.Value));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteUsage(json, usage, metrics);
        if (chosen >= 0)
        {
            WriteStrategy(json, run, chosen);
        }

        json.WriteEndObject();
    }

    public static string FinishName(FinishReason finish) => finish == FinishReason.Length ? "length" : "stop";

    public static void WriteUsage(Utf8JsonWriter json, Usage usage, Metrics metrics)
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

    // Which sample won and why: every sample's temperature, score and length.
    private static void WriteStrategy(Utf8JsonWriter json, CompletionRun run, int chosen)
    {
        json.WriteStartObject("strategy");
        json.WriteString("name", run.Request.Strategy.WireName());
        json.WriteString("score", "mean_token_logprob");
        json.WriteNumber("chosen", chosen);
        json.WriteStartArray("samples");
        for (var i = 0; i < run.Texts.Length; i++)
        {
            json.WriteStartObject();
            json.WriteNumber("temperature", run.Job.Sequences[i].Sampling.Temperature);
            json.WriteNumber("score", Strategy.Score(run.Texts[i]));
            json.WriteNumber("tokens", run.Texts[i].TokenCount);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
