using System.Globalization;
using BenchmarkDotNet.Running;
using BenchPlatform.Bench.LoadTestsStep;
using BenchPlatform.LoadTests;

// Both HTTP modes are closed loops and run their socket continuations inline on the event threads (before any socket;
// DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 in the environment keeps the thread pool hop, for a before/after).
if (args is ["capacity" or "lean" or "raw" or "lean-raw", ..])
{
    LoadTestRunner.UseInlineSocketCompletions();
}

// capacity URL CONNECTIONS SECONDS: a scenario written with the public API (Scenario.Create + Http.Send, closed model)
// as fast as it goes, for bench/loadtests-vs-wrk.sh; lean: the same scenario sending through a LeanHttpClient instead of
// HttpClient; anything else: the BenchmarkDotNet benchmarks.
if (args is [var mode and ("capacity" or "lean"), var url, var connections, var seconds])
{
    var target = new Uri(url);
    var copies = int.Parse(connections, CultureInfo.InvariantCulture);
    using var lean = new LeanHttpClient(target);
    var get = lean.Prepare(HttpMethod.Get, target.PathAndQuery);
    var scenario = (mode == "lean"
            ? Scenario.Create("capacity", async ctx => await Http.Send(ctx, get))
            : Scenario.Create("capacity", async ctx => await Http.Send(ctx, new HttpRequestMessage(HttpMethod.Get, target))))
        .WithWarmUpDuration(TimeSpan.FromSeconds(1))
        .WithLoadSimulations(Simulation.KeepConstant(copies, TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture))));
    // The process's CPU time over the measured window (from the end of the warm-up to the end of the load, before the
    // summary at the end): CPU per request, which a busy machine changes far less than requests/s.
    var measuredSeconds = double.Parse(seconds, CultureInfo.InvariantCulture);
    var warmedUp = Task.Delay(TimeSpan.FromSeconds(1)).ContinueWith(_ => (CpuTime(), GC.GetTotalAllocatedBytes()), TaskScheduler.Default);
    var loadEnded = Task.Delay(TimeSpan.FromSeconds(1 + measuredSeconds)).ContinueWith(_ => (CpuTime(), GC.GetTotalAllocatedBytes()), TaskScheduler.Default);
    var stats = await LoadTestRunner.RegisterScenarios(scenario).WithMaxConnections(copies).RunAsync();
    var (cpuAtWarm, allocatedAtWarm) = await warmedUp;
    var (cpuAtEnd, allocatedAtEnd) = await loadEnded;
    var cpu = cpuAtEnd - cpuAtWarm;
    var allocated = allocatedAtEnd - allocatedAtWarm;
    var result = stats.GetScenarioStats("capacity");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rps={result.Ok.Request.Rps:0.0} cpu_us_per_request={cpu.TotalMicroseconds / result.Ok.Request.Count:0.00} bytes_per_request={allocated / result.Ok.Request.Count} ok={result.Ok.Request.Count} fail={result.Fail.Request.Count} p50={result.Ok.Latency.P50} p99={result.Ok.Latency.P99}"));
    return 0;
}

// raw URL CONNECTIONS SECONDS: the same closed loop with HttpClient alone (no engine): the ceiling the engine runs under;
// lean-raw: with LeanHttpClient alone.
if (args is [var rawMode and ("raw" or "lean-raw"), var rawUrl, var rawConnections, var rawSeconds])
{
    var target = new Uri(rawUrl);
    var copies = int.Parse(rawConnections, CultureInfo.InvariantCulture);
    using var handler = BenchPlatform.LoadTests.Engine.LoadEngine.CreateHandler(copies);
    using var client = new HttpMessageInvoker(handler, disposeHandler: false);
    using var lean = new LeanHttpClient(target);
    var get = lean.Prepare(HttpMethod.Get, target.PathAndQuery);
    long count = 0;
    async Task LoopAsync(long until)
    {
        while (System.Diagnostics.Stopwatch.GetTimestamp() < until)
        {
            if (rawMode == "lean-raw")
            {
                await lean.SendAsync(get);
            }
            else
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, target);
                using var response = await client.SendAsync(request, CancellationToken.None);
                await response.Content.CopyToAsync(Stream.Null);
            }

            Interlocked.Increment(ref count);
        }
    }

    var warm = System.Diagnostics.Stopwatch.GetTimestamp() + System.Diagnostics.Stopwatch.Frequency;
    await Task.WhenAll(Enumerable.Range(0, copies).Select(_ => Task.Run(() => LoopAsync(warm))));
    Interlocked.Exchange(ref count, 0);
    var cpuStart = CpuTime();
    var allocatedStart = GC.GetTotalAllocatedBytes();
    var started = System.Diagnostics.Stopwatch.GetTimestamp();
    var end = started + (long)(double.Parse(rawSeconds, CultureInfo.InvariantCulture) * System.Diagnostics.Stopwatch.Frequency);
    await Task.WhenAll(Enumerable.Range(0, copies).Select(_ => Task.Run(() => LoopAsync(end))));
    var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
    var rawCpu = CpuTime() - cpuStart;
    var rawAllocated = GC.GetTotalAllocatedBytes() - allocatedStart;
    var done = Interlocked.Read(ref count);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rps={done / elapsed:0.0} cpu_us_per_request={rawCpu.TotalMicroseconds / done:0.00} bytes_per_request={rawAllocated / done}"));
    return 0;
}

static TimeSpan CpuTime()
{
    using var process = System.Diagnostics.Process.GetCurrentProcess();
    return process.TotalProcessorTime;
}

BenchmarkSwitcher.FromTypes([typeof(StepBenchmarks), typeof(IterationBenchmarks), typeof(RecordBufferBenchmarks)]).Run(args);
return 0;
