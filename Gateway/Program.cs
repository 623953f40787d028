using BenchPlatform.Gateway;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGateway();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGateway();

app.Run();

/// <summary>The gateway's entry point (public so tests can host it).</summary>
public partial class Program;
