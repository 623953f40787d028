using BenchPlatform.InferenceWorker;
using BenchPlatform.InferenceWorker.Llm;
using BenchPlatform.InferenceWorker.Management;
using BenchPlatform.InferenceWorker.Predict;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddInferenceWorker();
builder.AddLlmServing();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapModelsApi();
app.MapInferenceApi();
app.MapOpenAiApi();

app.Run();
