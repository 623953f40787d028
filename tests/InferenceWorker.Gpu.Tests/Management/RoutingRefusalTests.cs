using System.Net;
using System.Text.Json;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.TestCommon;

namespace BenchPlatform.InferenceWorker.Tests.Management;

/// <summary>Paths no endpoint serves, and wrong methods, are refused with a problem+json body that says what to change.</summary>
[Collection(InferenceCollection.Name)]
public sealed class RoutingRefusalTests(PostgresFixture postgres, RedisFixture redis)
{
    [Fact]
    public async Task UnroutablePaths_Return404ProblemNamingThePath()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);

        foreach (var path in new[] { "v2/health/x", "v2/models/mlp//ready", "v2/nothing/here" })
        {
            using var response = await host.Client.GetAsync(path);

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(404, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
            Assert.Contains("/" + path, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WrongMethod_Returns405ProblemNamingTheAllowedMethod()
    {
        await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString);

        using var response = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, "v2/health/ready"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(405, problem.GetProperty("status").GetInt32());
        Assert.Contains("PATCH", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
