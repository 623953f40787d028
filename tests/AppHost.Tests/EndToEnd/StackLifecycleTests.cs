using System.Net;
using BenchPlatform.AppHost.Hosting.Servers;
using BenchPlatform.TestCommon;

namespace BenchPlatform.AppHost.Tests.EndToEnd;

[Collection(StackCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StackLifecycleTests
{
    [Fact]
    public async Task Stack_FromCleanState_IsHealthyWithDatabaseAndRedisAndSigtermLeavesNoProcess()
    {
        await using var stack = AppHostProcess.Start();
        Assert.False(Directory.Exists(Path.Combine(stack.StateFolder, "pg")), "the state folder must start clean");

        await stack.WaitHealthyAsync(TimeSpan.FromSeconds(120));

        var health = (await stack.GetGatewayHealthAsync())!.Value;
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal("connected", health.GetProperty("database").GetString());
        Assert.Equal("connected", health.GetProperty("redis").GetString());
        Assert.Equal(1, health.GetProperty("workers").GetProperty("ready").GetInt32());
        Assert.True(File.Exists(Path.Combine(stack.StateFolder, "pg", "data", "PG_VERSION")), "initdb ran into the state folder");
        Assert.Contains("cache ready: redis-server", stack.Output, StringComparison.Ordinal);
        // The summary lines are printed just after the gateway turns healthy: wait for them, do not race them.
        await Wait.UntilAsync(
            () => Task.FromResult(stack.Output.Contains("Dashboard: http://127.0.0.1:", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the AppHost did not print the dashboard URL");
        Assert.Contains($"gateway: {stack.GatewayUrl.ToString().TrimEnd('/')}", stack.Output, StringComparison.Ordinal);

        var children = stack.Descendants();
        Assert.Contains(children, c => c.CommandLine.Contains("postgres", StringComparison.Ordinal));
        Assert.Contains(children, c => c.CommandLine.Contains("redis-server", StringComparison.Ordinal));
        Assert.Contains(children, c => c.CommandLine.Contains("Gateway.dll", StringComparison.Ordinal));
        Assert.Contains(children, c => c.CommandLine.Contains("InferenceWorker.Gpu.dll", StringComparison.Ordinal));
        Assert.Contains(children, c => c.CommandLine.Contains("SandboxRunner.dll", StringComparison.Ordinal));

        // The gateway's hop to the replicas it routes to: Unix sockets, only the AppHost's user can reach them.
        var sockets = Path.Combine(stack.StateFolder, "sockets");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(sockets));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(sockets, "inference-0.sock")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(sockets, "sandbox-0.sock")));
        Assert.False(File.Exists(Path.Combine(sockets, "gateway-0.sock")), "nothing routes to the gateway, so it has no socket");

        var survivors = await stack.StopAsync();

        Assert.Empty(survivors);
        Assert.Equal(0, stack.ExitCode);
        Assert.All(children, c => Assert.False(ProcessTree.IsAlive(c.Pid), $"{c.Pid} {c.CommandLine} is still alive"));
        Assert.False(File.Exists(Path.Combine(stack.StateFolder, "run.json")), "run.json (with the token) is removed at stop");
        Assert.True(File.Exists(Path.Combine(stack.StateFolder, "logs", "gateway-0.log")), "each process's output is kept on disk");
    }

    [Fact]
    public async Task Stack_SigtermWhileAspireStillStarts_StopsEveryProcessItStartedAndNoneIsRestarted()
    {
        // The services start while DCP and the dashboard do; a SIGTERM then cancels Aspire's start, and the host never
        // stops its services: the stack must still stop, and a replica killed at the end must not come back.
        await using var stack = AppHostProcess.Start();
        await Wait.UntilAsync(
            () => Task.FromResult(stack.Output.Contains("gateway-0: process-start", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), "the gateway's process did not start");

        var survivors = await stack.StopAsync();

        Assert.Empty(survivors);
        Assert.Empty(ProcessesOf(stack.StateFolder));
    }

    [Fact]
    public async Task Stack_ServiceKilledWithSigkill_IsRestartedAndHealthyAgain()
    {
        await using var stack = AppHostProcess.Start();
        await stack.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        var victim = stack.Descendants().Single(c => c.CommandLine.Contains("InferenceWorker.Gpu.dll", StringComparison.Ordinal));

        ProcessSignals.Send(victim.Pid, ProcessSignals.SigKill);

        await Wait.UntilAsync(() => Task.FromResult(stack.Descendants().Any(c =>
                c.Pid != victim.Pid && c.CommandLine.Contains("InferenceWorker.Gpu.dll", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30), "The killed inference replica was not started again");
        await Wait.UntilAsync(async () =>
        {
            using var request = stack.ControlRequest(HttpMethod.Get, "_internal/scale");
            using var response = await stack.Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK && text.Contains("\"inference\":{\"ready\":1", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), "The restarted inference replica did not become ready");
        await stack.WaitHealthyAsync(TimeSpan.FromSeconds(30));

        // The killed process left its socket file behind; the new one listens on the same path, served through the gateway.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(stack.StateFolder, "sockets", "inference-0.sock")));
        using (var infer = await stack.Http.PostAsync(new Uri(stack.GatewayUrl, "v2/models/mlp/infer"), new StringContent(
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,784],\"datatype\":\"FP32\",\"data\":[" + string.Join(",", Enumerable.Repeat("0.5", 784)) + "]}]}",
            System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, infer.StatusCode);
        }

        var log = await File.ReadAllTextAsync(Path.Combine(stack.StateFolder, "logs", "inference-0.log"));
        Assert.Equal(2, log.Split("--- starting inference-0").Length - 1);
        Assert.Contains("inference-0: restarting exited with code 137", stack.Output, StringComparison.Ordinal);
        Assert.Empty(await stack.StopAsync());
    }

    [Fact]
    public async Task Stack_WithoutRedisServerOnPath_RunsGarnetInstead()
    {
        using var bin = new SandboxPath("setpriv", "chown");
        await using var stack = AppHostProcess.Start(environment: new Dictionary<string, string?> { ["PATH"] = bin.Path });

        await stack.WaitHealthyAsync(TimeSpan.FromSeconds(120));

        var health = (await stack.GetGatewayHealthAsync())!.Value;
        Assert.Equal("connected", health.GetProperty("redis").GetString());
        Assert.Contains("cache ready: garnet", stack.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(stack.Descendants(), c => c.CommandLine.Contains("redis-server", StringComparison.Ordinal));
        Assert.Contains(stack.Descendants(), c => c.CommandLine.Contains("garnet", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(await stack.StopAsync());
    }

    [Fact]
    public async Task Stack_WithoutPostgresBinaries_ExitsNonZeroNamingWhatToInstall()
    {
        using var bin = new SandboxPath("setpriv", "chown", "redis-server");
        var nowhere = Path.Combine(Path.GetTempPath(), $"no-postgres-{Guid.NewGuid():N}");
        await using var stack = AppHostProcess.Start(
            ["--AppHost:PostgresSearchFolders:0=" + nowhere],
            new Dictionary<string, string?> { ["PATH"] = bin.Path });

        await stack.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, stack.ExitCode);
        Assert.Contains("PostgreSQL server binaries (initdb and postgres) were not found", stack.Output, StringComparison.Ordinal);
        Assert.Contains("apt-get install postgresql", stack.Output, StringComparison.Ordinal);
        Assert.Empty(await stack.StopAsync());
    }

    [Theory]
    [InlineData("--AppHost:Ports:gateway", "for 'gateway'")]
    [InlineData("--AppHost:DashboardPort", "for the dashboard")]
    public async Task Stack_FixedPortBusy_ExitsTwoAtOnceNamingThePortAndTheSettingAndStartsNothing(string setting, string what)
    {
        using var holder = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        await using var stack = AppHostProcess.Start([$"{setting}={port}"]);
        await stack.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, stack.ExitCode);
        Assert.Contains($"Port {port} {what} is already in use", stack.Output, StringComparison.Ordinal);
        Assert.Contains($"{setting}=PORT", stack.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("ready:", stack.Output, StringComparison.Ordinal);
        Assert.Empty(await stack.StopAsync());
    }

    /// <summary>Live processes whose environment names <paramref name="stateFolder"/> (every service the AppHost starts has it).</summary>
    private static List<string> ProcessesOf(string stateFolder)
    {
        var found = new List<string>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(folder, "environ")).Contains($"Storage__Root={stateFolder}\0", StringComparison.Ordinal))
                {
                    found.Add($"{pid}: {ProcessTree.CommandLine(pid)}");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone, or not ours to read.
            }
        }

        return found;
    }
}
