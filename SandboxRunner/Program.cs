using BenchPlatform.SandboxRunner;
using BenchPlatform.SandboxRunner.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSandbox();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapBlocksApi();

app.Run();

/// <summary>The runner's entry point, public for WebApplicationFactory in tests.</summary>
public partial class Program;
