using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BenchPlatform.TestCommon;

namespace BenchPlatform.EndToEnd.Tests.Faults;

/// <summary>
/// The whole stack for the fault tests: two inference replicas (so one can fail while the other serves) and the
/// known-good answers of a few mlp inputs, taken before any fault.
/// </summary>
public sealed class FaultStackFixture : IAsyncLifetime
{
    /// <summary>How many distinct inputs the traffic cycles through.</summary>
    public const int Inputs = 4;

    private readonly string[] _expected = new string[Inputs];
    private readonly List<(int Pid, int Signal)> _strays = [];

    /// <summary>The running AppHost.</summary>
    public AppHostProcess Stack { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stack = AppHostProcess.Start();
        await Stack.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        using (var scale = Stack.ControlRequest(HttpMethod.Put, "_internal/scale/inference"))
        {
            scale.Content = JsonContent.Create(new { min = 2, max = 2 });
            using var response = await Stack.Http.SendAsync(scale);
            response.EnsureSuccessStatusCode();
        }

        await WaitWorkersReadyAsync(2, TimeSpan.FromSeconds(120));
        for (var i = 0; i < Inputs; i++)
        {
            using var response = await Stack.Http.SendAsync(Infer(i, cache: false));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            _expected[i] = OutputsOf(body);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var (pid, signal) in _strays)
        {
            BenchPlatform.AppHost.Hosting.Servers.ProcessSignals.Send(pid, signal);
            await Wait.UntilAsync(() => Task.FromResult(!BenchPlatform.AppHost.Hosting.Servers.ProcessTree.IsAlive(pid)), TimeSpan.FromSeconds(30), $"Process {pid} did not stop");
        }

        var survivors = await Stack.StopAsync(TimeSpan.FromSeconds(60));
        await Stack.DisposeAsync();
        if (survivors.Count > 0)
        {
            throw new InvalidOperationException($"Processes outlived the AppHost: {string.Join("; ", survivors)}");
        }
    }

    /// <summary>Remembers a process the test started itself (e.g. a restarted server), to end it when the fixture ends.</summary>
    public void Own(int pid, int stopSignal = BenchPlatform.AppHost.Hosting.Servers.ProcessSignals.SigKill) => _strays.Add((pid, stopSignal));

    /// <summary>An infer of input <paramref name="i"/> (mod <see cref="Inputs"/>) to mlp, to the gateway.</summary>
    public HttpRequestMessage Infer(int i, bool cache)
    {
        var k = i % Inputs;
        var data = string.Join(",", Enumerable.Range(0, 784).Select(j => (((k + 1) * 0.125) + ((j % 7) * 0.01)).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)));
        var flag = cache ? "true" : "false";
        var json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,784],\"datatype\":\"FP32\",\"data\":[" + data + "]}],\"parameters\":{\"cache\":" + flag + "}}";
        return new HttpRequestMessage(HttpMethod.Post, new Uri(Stack.GatewayUrl, "v2/models/mlp/infer"))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
    }

    /// <summary>Null when <paramref name="body"/> is the correct answer to input <paramref name="i"/>, else what differs.</summary>
    public string? Check(int i, string body)
    {
        var outputs = OutputsOf(body);
        var expected = _expected[i % Inputs];
        return outputs == expected ? null : $"input {i % Inputs}: got {outputs}, expected {expected}";
    }

    /// <summary>The live inference worker processes (one per running replica).</summary>
    public IReadOnlyList<int> WorkerPids() => ProcessesOf("InferenceWorker.Gpu.dll");

    /// <summary>The TCP base address a replica process listens on (from its <c>ASPNETCORE_URLS</c>, set by the AppHost; its Unix socket, when it has one, is left out).</summary>
    public static Uri AddressOf(int pid) =>
        new(File.ReadAllText($"/proc/{pid}/environ").Split('\0').Single(v => v.StartsWith("ASPNETCORE_URLS=", StringComparison.Ordinal))["ASPNETCORE_URLS=".Length..]
            .Split(';').First(url => !url.StartsWith("http://unix:", StringComparison.OrdinalIgnoreCase)).TrimEnd('/') + "/");

    /// <summary>The live processes whose command line contains <paramref name="marker"/>.</summary>
    public IReadOnlyList<int> ProcessesOf(string marker) =>
        [.. Stack.Descendants().Where(p => p.CommandLine.Contains(marker, StringComparison.Ordinal)).Select(p => p.Pid)];

    /// <summary>The AppHost's scale state of inference.</summary>
    public async Task<JsonElement> ScaleAsync()
    {
        using var request = Stack.ControlRequest(HttpMethod.Get, "_internal/scale");
        using var response = await Stack.Http.SendAsync(request);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("inference").Clone();
    }

    /// <summary>Waits until <paramref name="count"/> inference replicas are ready and the gateway is healthy.</summary>
    public async Task WaitWorkersReadyAsync(int count, TimeSpan timeout)
    {
        await Wait.UntilAsync(async () => (await ScaleAsync()).GetProperty("ready").GetInt32() == count, timeout, $"{count} inference replicas were not ready");
        await Stack.WaitHealthyAsync(timeout);
    }

    private static string OutputsOf(string body)
    {
        using var doc = JsonDocument.Parse(body);
        var outputs = doc.RootElement.GetProperty("outputs");
        return string.Join('|', outputs.EnumerateArray().Select(o => o.GetProperty("name").GetString() + ":" + o.GetProperty("data").GetRawText()));
    }
}
