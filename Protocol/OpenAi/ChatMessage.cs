namespace BenchPlatform.Protocol.OpenAi;

/// <summary>One message of a chat body: its role and its text (a string, or the text parts joined).</summary>
public sealed record ChatMessage(string Role, string Content);
