using System.Globalization;
using System.Net;
using System.Text.Json;
using BenchPlatform.Gateway.Tests.Infrastructure;
using static BenchPlatform.Gateway.Tests.Infrastructure.Requests;

namespace BenchPlatform.Gateway.Tests.Forwarding;

/// <summary>A request's deadline at the gateway: read from Request-Timeout or defaulted, bounding the cold hold, forwarded as what is left.</summary>
public sealed class DeadlineTests : IAsyncLifetime
{
    private TestReplica _appHost = null!;

    public async Task InitializeAsync() => _appHost = await TestReplica.StartAsync("apphost");

    public async Task DisposeAsync() => await _appHost.DisposeAsync();

    private static double Forwarded(TestReplica replica) =>
        double.Parse(replica.ReceivedHeaders.Last()["Request-Timeout"].ToString(), CultureInfo.InvariantCulture);

    [Fact]
    public async Task Forwarded_CallersTimeout_ReachesTheReplicaAsWhatIsLeftOfIt()
    {
        await using var replica = await TestReplica.StartAsync("inference-0");
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["services:inference:http:0"] = replica.Address.ToString(),
            ["Gateway:DefaultDeadline"] = "00:00:20",
        });

        using var given = Infer("mlp");
        given.Headers.Add("Request-Timeout", "2.5");
        using (var response = await gateway.Client.SendAsync(given))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.InRange(Forwarded(replica), 0.001, 2.5);
        using (var response = await gateway.Client.SendAsync(Infer("mlp")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.InRange(Forwarded(replica), 2.5, 20);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("86401")]
    public async Task Invalid_RequestTimeout_Is400NamingTheHeaderAndIsNotForwarded(string value)
    {
        await using var replica = await TestReplica.StartAsync("inference-0");
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["services:inference:http:0"] = replica.Address.ToString(),
        });
        using var request = Infer("mlp");
        request.Headers.TryAddWithoutValidation("Request-Timeout", value);

        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("Request-Timeout", problem.GetProperty("field").GetString());
        Assert.Contains("Request-Timeout: 2.5", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, replica.Requests);
    }

    [Fact]
    public async Task Held_DeadlinePassesBeforeAReplicaIsReady_Is504AtTheDeadlineAndNothingIsLeftWaiting()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["services:apphost:http:0"] = _appHost.Address.ToString(),
            ["Gateway:HoldTimeout"] = "00:00:30",
        });
        using var request = Infer("mlp");
        request.Headers.Add("Request-Timeout", "0.5");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.45), TimeSpan.FromSeconds(10));
        var problem = await ProblemAsync(response);
        Assert.Equal("Deadline exceeded", problem.GetProperty("title").GetString());
        Assert.Contains("was not run", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var load = await gateway.Client.SendAsync(gateway.Internal(HttpMethod.Get, "/_internal/load"));
        var cluster = JsonDocument.Parse(await load.Content.ReadAsStringAsync()).RootElement.GetProperty("clusters").GetProperty("inference");
        Assert.Equal(0, cluster.GetProperty("waiting").GetInt32());
        Assert.Equal(0, cluster.GetProperty("inflight").GetInt32());
    }
}
