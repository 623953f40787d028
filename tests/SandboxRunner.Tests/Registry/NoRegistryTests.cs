using System.Net;
using System.Net.Http.Json;

namespace BenchPlatform.SandboxRunner.Tests.Registry;

/// <summary>Without a registry database, named blocks answer 503 with Retry-After while ad-hoc runs work.</summary>
[Collection(JailCollection.Name)]
public sealed class NoRegistryTests(SandboxFactory factory)
{
    [Fact]
    public async Task Register_WithoutADatabase_Returns503WithRetryAfter()
    {
        using var client = factory.CreateRunnerClient();

        using var response = await client.PostAsJsonAsync("/v1/blocks", new { name = "x", language = "python", code = "def run(i): return i" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("ConnectionStrings__registry", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
