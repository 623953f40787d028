using BenchPlatform.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace BenchPlatform.Gateway.Tests.Options;

public sealed class GatewayOptionsTests
{
    [Theory]
    [InlineData("Gateway:ApiKeys:0:Key", "short", "Gateway:ApiKeys:0:Key")]
    [InlineData("Gateway:RequestTimeout", "00:00:00", "Gateway:RequestTimeout")]
    [InlineData("Gateway:RateLimitPerSecond", "-1", "Gateway:RateLimitPerSecond")]
    public async Task Start_BadSetting_FailsNamingTheKey(string key, string value, string named)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ApiKeyWithUnknownRole_FailsNamingTheRole()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:ApiKeys:0:Key"] = "a-long-enough-key-0123456789",
            ["Gateway:ApiKeys:0:Role"] = "root",
        }));

        Assert.Contains("Gateway:ApiKeys:0:Role", failure.Message, StringComparison.Ordinal);
    }
}
