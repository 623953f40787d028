using BenchPlatform.InferenceWorker;
using BenchPlatform.InferenceWorker.Management;
using BenchPlatform.InferenceWorker.Predict;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddInferenceWorker();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapModelsApi();
app.MapInferenceApi();

app.Run();
