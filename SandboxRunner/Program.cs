using BenchPlatform.SandboxRunner;
using BenchPlatform.SandboxRunner.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSandbox();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapBlocksApi();

app.Run();
