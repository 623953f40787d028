namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>One LLM host shared by a test class.</summary>
public sealed class LlmHostFixture : IAsyncLifetime
{
    public LlmHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await LlmHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
