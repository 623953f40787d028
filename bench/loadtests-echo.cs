#:sdk Microsoft.NET.Sdk.Web
// A trivial HTTP endpoint for generator benchmarks: GET / → 200 "ok"; GET /d/{ms} → "ok" after ms milliseconds. No logging.
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
app.Run();
