using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchPlatform.TestCommon;

namespace BenchPlatform.AppHost.Tests.EndToEnd;

/// <summary>Autoscaling under real traffic through the gateway: a drain mid-load and a burst against <c>max</c>.</summary>
[Collection(StackCollection.Name)]
public sealed class AutoscaleLoadTests
{
    private const string WorkerDll = "InferenceWorker.Gpu.dll";

    // The sample `linear` model: y = x·W + b with W [4, 2] and b [2] (InferenceWorker.Gpu/Samples/SampleModels.cs).
    private static readonly float[] Weights = [0.5f, -1f, 1f, 0.25f, -0.5f, 2f, 1.5f, 0f];
    private static readonly float[] Bias = [0.1f, -0.2f];

    [Fact]
    public async Task ScaleDown_WhileRequestsFlow_DrainedReplicaLosesNoRequest()
    {
        await using var stack = AppHostProcess.Start(
            ["--AppHost:Autoscale:inference:Min=2", "--AppHost:Autoscale:inference:ScaleDownWindow=00:00:01"]);
        await stack.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        await Wait.UntilAsync(async () => (await stack.GetGatewayHealthAsync())?.GetProperty("workers").GetProperty("ready").GetInt32() == 2,
            TimeSpan.FromSeconds(90), "The gateway did not get two ready inference replicas");

        using var stop = new CancellationTokenSource();
        var answered = 0;
        var failures = new List<string>();
        var loops = Enumerable.Range(0, 4).Select(loop => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var failure = await InferLinearAsync(stack, loop * 1_000_000 + i);
                lock (failures)
                {
                    if (failure is null)
                    {
                        answered++;
                    }
                    else
                    {
                        failures.Add(failure);
                    }
                }
            }
        })).ToArray();

        await Wait.UntilAsync(() => Task.FromResult(Volatile.Read(ref answered) >= 40),
            TimeSpan.FromSeconds(30), "The steady requests did not get answered before the scale-down");
        await PutScaleAsync(stack, min: 1, max: 4);
        await Wait.UntilAsync(() => Task.FromResult(stack.Output.Contains(": stopped", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), "No replica was drained and stopped");
        var answeredAtStop = Volatile.Read(ref answered);
        await Wait.UntilAsync(() => Task.FromResult(Volatile.Read(ref answered) >= answeredAtStop + 40),
            TimeSpan.FromSeconds(30), "Requests stopped being answered after the drain");
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        Assert.Empty(failures);
        Assert.Contains(": draining", stack.Output, StringComparison.Ordinal);
        Assert.Equal(1, stack.Descendants().Count(c => c.CommandLine.Contains(WorkerDll, StringComparison.Ordinal)));
        Assert.Empty(await stack.StopAsync());
    }

    [Fact]
    public async Task Burst_FromZero_ScalesUpToMaxAndNotBeyond()
    {
        await using var stack = AppHostProcess.Start(
        [
            "--AppHost:Autoscale:inference:Min=0", "--AppHost:Autoscale:inference:Max=2",
            "--AppHost:Autoscale:inference:TargetInflightPerReplica=1",
            "--AppHost:Autoscale:inference:ScaleDownWindow=00:05:00",
        ]);
        await stack.WaitHealthyAsync(TimeSpan.FromSeconds(120));

        var mostWorkers = 0;
        using var watching = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                var workers = stack.Descendants().Count(c => c.CommandLine.Contains(WorkerDll, StringComparison.Ordinal));
                mostWorkers = Math.Max(mostWorkers, workers);
                await Task.Delay(50, CancellationToken.None);
            }
        });

        // Twelve requests at once against zero replicas: all are held, demand asks for twelve, max allows two.
        var failures = (await Task.WhenAll(Enumerable.Range(0, 12).Select(i => InferLinearAsync(stack, i)))).OfType<string>().ToList();
        await Wait.UntilAsync(async () => (await stack.GetGatewayHealthAsync())?.GetProperty("workers").GetProperty("ready").GetInt32() == 2,
            TimeSpan.FromSeconds(90), "The burst did not bring inference to its max of two ready replicas");
        await watching.CancelAsync();
        await watcher;

        Assert.Empty(failures);
        Assert.Equal(2, mostWorkers);
        Assert.Matches(@"inference: scale \d -> 2", stack.Output);
        Assert.DoesNotContain("-> 3", stack.Output, StringComparison.Ordinal);
        Assert.Equal(2, (await ScaleAsync(stack)).GetProperty("ready").GetInt32());
        Assert.Empty(await stack.StopAsync());
    }

    /// <summary>One uncached `linear` inference through the gateway; null when the answer is right, else what went wrong.</summary>
    private static async Task<string?> InferLinearAsync(AppHostProcess stack, int seed)
    {
        float[] x = [seed % 7, seed % 13 - 6, 1.5f, -(seed % 5)];
        var request = new
        {
            id = seed.ToString(CultureInfo.InvariantCulture),
            inputs = new[] { new { name = "x", shape = new[] { 1, 4 }, datatype = "FP32", data = x } },
            parameters = new { cache = false },
        };
        try
        {
            using var response = await stack.Http.PostAsJsonAsync(new Uri(stack.GatewayUrl, "v2/models/linear/infer"), request);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return $"request {seed}: {(int)response.StatusCode} {body}";
            }

            var data = JsonDocument.Parse(body).RootElement.GetProperty("outputs")[0].GetProperty("data");
            for (var j = 0; j < 2; j++)
            {
                var expected = Bias[j];
                for (var k = 0; k < 4; k++)
                {
                    expected += x[k] * Weights[(k * 2) + j];
                }

                var actual = data[j].GetSingle();
                if (Math.Abs(actual - expected) > 1e-4f)
                {
                    return $"request {seed}: y[{j}] = {actual}, expected {expected}";
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return $"request {seed}: {ex.GetType().Name} {ex.Message}";
        }
    }

    private static async Task PutScaleAsync(AppHostProcess stack, int min, int max)
    {
        using var request = stack.ControlRequest(HttpMethod.Put, "_internal/scale/inference");
        request.Content = JsonContent.Create(new { min, max });
        using var response = await stack.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<JsonElement> ScaleAsync(AppHostProcess stack)
    {
        using var request = stack.ControlRequest(HttpMethod.Get, "_internal/scale");
        using var response = await stack.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("inference");
    }
}
