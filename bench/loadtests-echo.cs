#:sdk Microsoft.NET.Sdk.Web
// A trivial HTTP endpoint for generator benchmarks: GET / → 200 "ok"; GET /d/{ms} → "ok" after ms milliseconds (a timer,
// so its latency depends on where each arrival falls between timer ticks); GET /s/{us} → "ok" after spinning us
// microseconds on the CPU (a service time that does not depend on the arrival pattern). No logging.
// dotnet run bench/loadtests-echo.cs -- 127.0.0.1:18099
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://" + (args.Length > 0 ? args[0] : "127.0.0.1:18099"));
var app = builder.Build();
app.MapGet("/", () => "ok");
app.MapGet("/d/{ms:int}", async (int ms) =>
{
    await Task.Delay(ms);
    return "ok";
});
app.MapGet("/s/{us:int}", (int us) =>
{
    var until = System.Diagnostics.Stopwatch.GetTimestamp() + (us * System.Diagnostics.Stopwatch.Frequency / 1_000_000);
    while (System.Diagnostics.Stopwatch.GetTimestamp() < until)
    {
        Thread.SpinWait(20);
    }

    return "ok";
});
app.Run();
