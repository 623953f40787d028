using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Scenarios;
using BenchPlatform.LoadTests.Tests.Support;

namespace BenchPlatform.LoadTests.Tests.Scenarios;

public sealed class GatewayApiTests
{
    [Fact]
    public async Task Warmup_503WithRetryAfter_IsRetriedUntilItSucceeds()
    {
        await using var fake = await FakeGateway.StartAsync();
        fake.WarmupRefusals = 2;
        using var handler = new SocketsHttpHandler();
        var api = new GatewayApi(handler, fake.Url, apiKey: null, TimeSpan.FromSeconds(10));

        await api.WarmupModelAsync("mlp", CancellationToken.None);

        Assert.Equal(3, fake.WarmupCalls);
    }

    [Fact]
    public async Task Warmup_503PastTheRetryBudget_FailsNamingTheStatusAndDetail()
    {
        await using var fake = await FakeGateway.StartAsync();
        fake.WarmupRefusals = int.MaxValue;
        using var handler = new SocketsHttpHandler();
        var api = new GatewayApi(handler, fake.Url, apiKey: null, TimeSpan.FromSeconds(10), retryBudget: TimeSpan.FromMilliseconds(200));

        var failure = await Assert.ThrowsAsync<ScenarioFailedException>(() => api.WarmupModelAsync("mlp", CancellationToken.None));

        Assert.Contains("returned 503", failure.Message, StringComparison.Ordinal);
        Assert.Contains("healthy right now", failure.Message, StringComparison.Ordinal);
        Assert.True(fake.WarmupCalls > 1, $"expected retries within the budget, got {fake.WarmupCalls} call(s)");
    }
}
