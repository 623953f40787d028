using System.Text;
using System.Text.Json;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>Reads a server-sent-events body into its <c>data:</c> payloads.</summary>
internal static class Sse
{
    public static List<string> Events(string body)
    {
        var events = new List<string>();
        foreach (var block in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.StartsWith("data: ", block);
            events.Add(block["data: ".Length..]);
        }

        return events;
    }

    /// <summary>The text of choice <paramref name="index"/> concatenated over the chunks.</summary>
    public static string Text(IEnumerable<string> events, bool chat, int index = 0)
    {
        var text = new StringBuilder();
        foreach (var data in events)
        {
            if (data == "[DONE]")
            {
                continue;
            }

            using var chunk = JsonDocument.Parse(data);
            foreach (var choice in chunk.RootElement.GetProperty("choices").EnumerateArray())
            {
                if (choice.GetProperty("index").GetInt32() != index)
                {
                    continue;
                }

                if (!chat)
                {
                    text.Append(choice.GetProperty("text").GetString());
                }
                else if (choice.GetProperty("delta").TryGetProperty("content", out var content))
                {
                    text.Append(content.GetString());
                }
            }
        }

        return text.ToString();
    }
}
